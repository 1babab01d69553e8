// `vioemu sensitivity`: what each assumed constant (docs/model.md) does to the
// reproduction. For every assumption, its low and high value replace the
// default in the paper's DomU scenario, alone and with each optimization that
// matters most for it (Opt A cache-aware, Opt C simple bridge, Opt D queue
// 128), over a few seeds; the table shows DomU bandwidth and each gain at low
// / default / high. Nothing here is fitted: it shows how much a row depends on
// a guess.
import { writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { repoPath } from '../repoPath.ts';
import { Execution } from '../run/execute.ts';
import type { RunResult } from '../run/result.ts';
import { loadScenario, type ScenarioPoint } from '../scenario/load.ts';
import { signedPercent } from './signedPercent.ts';

export interface Assumption {
  field: string;
  low: number | string;
  high: number | string;
}

/** The constants docs/model.md lists as assumptions, with the range tried. */
export const ASSUMPTIONS: Assumption[] = [
  { field: 'net.costs.nicRxCyclesPerPacket', low: 500, high: 1200 },
  { field: 'net.costs.nicTxCyclesPerPacket', low: 300, high: 800 },
  { field: 'net.costs.stackRxCyclesPerPacket', low: 800, high: 1500 },
  { field: 'net.costs.stackTxCyclesPerPacket', low: 500, high: 1200 },
  { field: 'net.costs.netfrontRxCyclesPerPacket', low: 500, high: 1200 },
  { field: 'net.costs.netfrontTxCyclesPerPacket', low: 300, high: 800 },
  { field: 'net.costs.netbackTxCyclesPerPacket', low: 800, high: 1500 },
  { field: 'net.costs.eventChannelCycles', low: 500, high: 3000 },
  { field: 'net.costs.copyToUserCyclesPerByte', low: 0.25, high: 1 },
  { field: 'net.costs.readSyscallCycles', low: 1000, high: 4000 },
  { field: 'net.costs.cacheFactor.cross_socket', low: 2, high: 3.5 },
  { field: 'net.costs.cacheFactor.same_socket', low: 1.5, high: 2.6 },
  { field: 'net.costs.ioChannelCopyShare', low: 0.3, high: 0.7 },
  { field: 'net.contextSwitchCycles', low: 2000, high: 8000 },
  { field: 'net.dom0.idleTimerCycles', low: 5000, high: 40000 },
  { field: 'net.nic.irqDelay', low: '20us', high: '120us' },
  { field: 'net.nic.txIrqDelay', low: '0ns', high: '60us' },
  // ixgb has no interrupt throttle (0); the high end is an e1000-style 8000 interrupts/s.
  { field: 'net.nic.irqMinInterval', low: '0ns', high: '125us' },
];

const VARIANTS: { name: string; sets: string[] }[] = [
  { name: 'default', sets: [] },
  { name: 'A', sets: ['net.scheduler.cacheAware=true'] },
  { name: 'C', sets: ['net.bridge=simple'] },
  { name: 'D', sets: ['net.netback.txqueuelen=128'] },
];

export interface SensitivityRow {
  field: string;
  /** Per value (low, default, high): mean DomU Gbps and the gains of A, C, D over the default at that value. */
  values: { value: number | string; gbps: number; gainA: number; gainC: number; gainD: number }[];
}

/** Warm-up of a shortened run: 500 ms, or a third of a run shorter than 1.5 s. */
export function sensitivityWarmupNs(durationNs: number): number {
  return Math.min(500_000_000, Math.floor(durationNs / 3));
}

export interface SensitivityOutput {
  rows: SensitivityRow[];
  /** Stopped (Ctrl-C) before every run ended, or some failed: how many ended whole (cells without their runs are NaN). */
  interrupted: { completed: number; of: number } | null;
  /** Runs that failed (the first one's point and error), or null. */
  failed: { count: number; first: string } | null;
}


export async function sensitivity(opts: { scenario: string; seeds: number[]; durationNs?: number; workers: number; out?: string; log: (s: string) => void; exec?: Execution }): Promise<SensitivityOutput> {
  const overrides = (seed: number) => ({ seed, ...(opts.durationNs ? { duration: `${opts.durationNs}ns`, warmup: `${sensitivityWarmupNs(opts.durationNs)}ns` } : {}) });
  // A relative `scenario` is named from the repository (as the table shows it), not from the current folder.
  const scenarioFile = isAbsolute(opts.scenario) ? opts.scenario : repoPath(opts.scenario);
  const jobs: { a: number; v: number; variant: number; seed: number; point: ScenarioPoint }[] = [];
  ASSUMPTIONS.forEach((as, a) => {
    [as.low, null, as.high].forEach((val, v) => {
      if (v === 1 && a > 0) return; // the default runs once
      VARIANTS.forEach((variant, vi) => {
        for (const seed of opts.seeds) {
          const sets = [...variant.sets, ...(val === null ? [] : [`${as.field}=${val}`])];
          jobs.push({ a, v, variant: vi, seed, point: loadScenario(scenarioFile, { sets, overrides: overrides(seed) })[0]! });
        }
      });
    });
  });
  opts.log(`sensitivity: ${ASSUMPTIONS.length} assumptions × (low, high) + the default, × ${VARIANTS.length} variants × ${opts.seeds.length} seed${opts.seeds.length === 1 ? '' : 's'} = ${jobs.length} runs`);
  let done = 0;
  const exec = opts.exec ?? new Execution();
  const outs = await exec.run(jobs.map((j) => j.point), {
    workers: opts.workers,
    onPointDone: (r) => {
      // A run stopped part-way (Ctrl-C) has not ended: the count says how many have.
      if (r.interrupted && !r.error) return;
      done++;
      if (done % 50 === 0) opts.log(`  ${done}/${jobs.length}`);
    },
  });
  const gbps = (a: number, v: number, variant: number) => {
    const aa = v === 1 ? 0 : a;
    // Runs stopped part-way (Ctrl-C) measured nothing whole: a cell with none left is NaN.
    const rs = jobs.flatMap((j, i) => (j.a === aa && j.v === v && j.variant === variant ? [outs[i]!.result as RunResult & { throughputGbps?: number }] : [])).filter((r) => !r.interrupted && !r.error);
    return rs.length ? rs.reduce((s, r) => s + (r.throughputGbps ?? 0), 0) / rs.length : NaN;
  };
  const completed = outs.filter((o) => !o.result.interrupted && !o.result.error).length;
  const failed = outs.filter((o) => o.result.error);
  // A failed run, like a stop, leaves an incomplete table: it goes beside --out, which keeps its last complete one.
  const interrupted = (exec.wasStopped || failed.length > 0) && completed < jobs.length ? { completed, of: jobs.length } : null;
  const firstFailure = failed.length ? `${failed[0]!.result.point}: ${failed[0]!.result.error}` : '';
  if (failed.length) opts.log(`sensitivity: ${failed.length} run${failed.length > 1 ? 's' : ''} failed (first: ${firstFailure}); their cells show —`);
  const rows = ASSUMPTIONS.map((as, a) => ({
    field: as.field,
    values: [as.low, 'default', as.high].map((value, v) => {
      const base = gbps(a, v, 0);
      return { value, gbps: base, gainA: gbps(a, v, 1) / base - 1, gainC: gbps(a, v, 2) / base - 1, gainD: gbps(a, v, 3) / base - 1 };
    }),
  }));
  // Interrupted: what was measured goes beside --out, which keeps its last complete table.
  if (opts.out) writeFileSync(interrupted ? `${opts.out}.partial` : opts.out, formatSensitivity(rows, { ...opts, interrupted, failed: failed.length, firstFailure }));
  return { rows, interrupted, failed: failed.length ? { count: failed.length, first: firstFailure } : null };
}

export function formatSensitivity(rows: SensitivityRow[], opts: { scenario: string; seeds: number[]; durationNs?: number; interrupted?: SensitivityOutput['interrupted']; failed?: number; firstFailure?: string }): string {
  const pct = (x: number) => signedPercent(x, 0);
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
  const cell = (x: SensitivityRow['values'][number]) => `${num(x.gbps)} (A ${pct(x.gainA)}, C ${pct(x.gainC)}, D ${pct(x.gainD)})`;
  const runs = opts.durationNs ? `, ${opts.durationNs / 1e9} s runs` : '';
  return [
    `# Sensitivity of the reproduction to the assumed constants`,
    '',
    ...(opts.interrupted && !opts.failed ? [`**Interrupted: ${opts.interrupted.completed} of ${opts.interrupted.of} runs ended; cells without theirs show —.**`, ''] : []),
    ...(opts.failed ? [`**${opts.failed} run${opts.failed > 1 ? 's' : ''} failed; cells without theirs show —.**`, ''] : []),
    // The README promises the failure in the partial file, as reproduce and calibrate write it.
    ...(opts.failed && opts.firstFailure ? [`The first failed run: ${opts.firstFailure.replace(/\s+/g, ' ')}`, ''] : []),
    `Written by \`vioemu sensitivity\`: ${opts.scenario}, seeds ${opts.seeds.join(', ')}${runs}.`,
    'Each cell: DomU Gbps (mean over the seeds) and the gain of Opt A (cache-aware), Opt C (simple bridge) and',
    'Opt D (netback queue 128) over the default, with the constant at its low / default / high value.',
    '',
    '| constant | low | default | high |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.field}\` = ${r.values[0]!.value} / ${r.values[2]!.value} | ${cell(r.values[0]!)} | ${cell(r.values[1]!)} | ${cell(r.values[2]!)} |`),
    '',
  ].join('\n');
}
