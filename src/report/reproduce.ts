// `vioemu reproduce`: run every paper scenario point (in parallel over the
// worker pool), then compute the T1–T14 table from those runs, draw the
// figures and write results.json, per-point result files, SVGs and index.html.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Execution } from '../run/execute.ts';
import { loadScenario, type ScenarioPoint } from '../scenario/load.ts';
import { buildFigures } from './figures.ts';
import { renderFigureSvg } from './figure.ts';
import { renderIndexHtml } from './html.ts';
import { computeRows, Results, type PointResult, type TargetRow } from './targets.ts';

export const PAPER_SCENARIOS = [
  'fig3-linux', 'fig3-dom0', 'fig3-domu', 'fig4-msgsize', 'fig5-sedf', 'fig7-cacheaware',
  'fig8-dom0vcpus', 'fig9-creditsteal', 'fig11-simplebridge', 'fig12-txqueuelen', 'fig13-combined',
];

const PAPER_DIR = fileURLToPath(new URL('../../scenarios/paper/', import.meta.url));

export interface ReproduceOptions {
  outDir: string;
  workers: number;
  quick: boolean;
  log: (line: string) => void;
}

export interface ReproduceOutput {
  rows: TargetRow[];
  points: PointResult[];
  wallSeconds: number;
}

export async function reproduce(opts: ReproduceOptions): Promise<ReproduceOutput> {
  const t0 = process.hrtime.bigint();
  const overrides = opts.quick ? { duration: '1200ms', warmup: '400ms' } : undefined;
  const jobs: { scenario: string; point: ScenarioPoint }[] = [];
  for (const name of PAPER_SCENARIOS) {
    for (const point of loadScenario(join(PAPER_DIR, `${name}.yaml`), { overrides })) jobs.push({ scenario: name, point });
  }
  opts.log(`reproduce: ${jobs.length} runs on ${opts.workers} worker(s)${opts.quick ? ' (quick)' : ''}`);
  mkdirSync(join(opts.outDir, 'runs'), { recursive: true });
  const points: PointResult[] = new Array(jobs.length);
  let done = 0;
  const outs = await new Execution().run(jobs.map((j) => j.point), {
    workers: opts.workers,
    onPointDone: (r, i) => {
      done++;
      const j = jobs[i]!;
      const idx = jobs.filter((x, k) => x.scenario === j.scenario && k < i).length;
      const file = join(opts.outDir, 'runs', j.scenario, `point-${String(idx).padStart(3, '0')}.json`);
      mkdirSync(join(opts.outDir, 'runs', j.scenario), { recursive: true });
      writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
      points[i] = { scenario: j.scenario, point: j.point.label, file: relative(opts.outDir, file), result: r as PointResult['result'] };
      const g = (r as { throughputGbps?: number }).throughputGbps;
      opts.log(`  [${done}/${jobs.length}] ${j.scenario}${j.point.label ? ` ${j.point.label}` : ''}: ${g?.toFixed(2) ?? '?'} Gbps (${r.wallSeconds.toFixed(1)}s wall)`);
    },
  });
  const failed = outs.find((o) => o.result.error);
  if (failed) throw new Error(`a run failed: ${failed.result.scenario} ${failed.result.point}: ${failed.result.error}`);
  const results = new Results(points);
  const rows = computeRows(results);
  const figures = buildFigures(results);
  for (const f of figures) writeFileSync(join(opts.outDir, `${f.id}.svg`), renderFigureSvg(f));
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  writeFileSync(join(opts.outDir, 'results.json'), JSON.stringify({ rows, points, wallSeconds, quick: opts.quick }, null, 2) + '\n');
  writeFileSync(
    join(opts.outDir, 'index.html'),
    renderIndexHtml({
      title: 'vioemu — reproduction of Liao et al., ANCS’08',
      rows: rows.map((r) => ({ id: r.id, figure: r.figure, condition: r.condition, paper: r.paper, emulated: r.emulated, tolerance: r.tolerance, pass: r.pass, source: r.source, note: r.kind === 'input' ? 'input (measured cost, not a prediction)' : r.note })),
      figures: figures.map((f) => ({ id: f.id, file: `${f.id}.svg`, caption: f.title })),
      meta: { runs: String(points.length), mode: opts.quick ? 'quick (short runs)' : 'full', 'wall time': `${wallSeconds.toFixed(0)} s`, workers: String(opts.workers) },
    }),
  );
  return { rows, points, wallSeconds };
}

export function formatTable(rows: TargetRow[]): string {
  const cols: (keyof TargetRow)[] = ['id', 'figure', 'condition', 'paper', 'emulated', 'tolerance', 'pass'];
  const cells = rows.map((r) => cols.map((c) => (c === 'pass' ? (r.pass ? 'PASS' : 'fail') : String(r[c] ?? ''))));
  const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (xs: string[]) => xs.map((x, i) => (x.length > widths[i]! ? x.slice(0, widths[i]! - 1) + '…' : x.padEnd(widths[i]!))).join('  ');
  const pass = rows.filter((r) => r.pass).length;
  return [line(cols as string[]), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', `${pass}/${rows.length} rows pass`].join('\n');
}
