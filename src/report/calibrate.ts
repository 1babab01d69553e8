// `vioemu calibrate`: fit the model's two free constants and nothing else.
// 1. The stressor's cycles per sent segment, to T1 (native Linux 5.5 Gbps).
// 2. The common scale on Table 1's costs. Its curve — DomU bandwidth and
//    Dom0 utilization against the scale, ≥ 8 scales × 3 seeds — is printed
//    and saved. If T2 (DomU 2.3 Gbps) pins the scale down (the mean curve
//    falls through 2.3 Gbps, monotonically, with the crossing resolvable
//    above the seeds' spread), the scale is fitted to T2. Otherwise it is
//    fitted to the paper's one direct cost observation, Dom0 at 105% in the
//    default, and T2 stays a prediction.
// The result goes to scenarios/calibration.yaml (with the curve in comments and
// `# scaleFittedOn:` for the reproduction table) and the curve to a JSON file.
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoPath } from '../repoPath.ts';
import { Execution } from '../run/execute.ts';
import type { RunResult } from '../run/result.ts';
import { loadScenario, type ScenarioPoint } from '../scenario/load.ts';

// T1's and T2's scenarios are named relative to the repository (as the log shows them) and read from it (repoPath), not from the current folder.
export const T1 = { scenario: 'scenarios/paper/fig3-linux.yaml', field: 'net.stressor.txCyclesPerPacket', targetGbps: 5.5 };
export const T2 = { scenario: 'scenarios/paper/fig3-domu.yaml', field: 'net.costs.table1Scale', targetGbps: 2.3, targetDom0Pct: 105 };
export const CURVE_SCALES = [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0];
export const CURVE_SEEDS = [1, 2, 3];

export interface CurvePoint {
  scale: number;
  gbps: { mean: number; min: number; max: number };
  dom0Pct: { mean: number; min: number; max: number };
}

export interface CalibrationResult {
  txCyclesPerPacket: number;
  t1Gbps: number;
  table1Scale: number;
  scaleFittedOn: 'T2' | 'dom0-util';
  why: string;
  curve: CurvePoint[];
  /** Mean DomU bandwidth and Dom0 utilization at the fitted scale (3 seeds). */
  atFit: { gbps: number; dom0Pct: number };
  evaluations: number;
}

type R = RunResult & { throughputGbps?: number; domains?: { name: string; cpuPct: number }[] };

/** Ctrl-C during a calibration: nothing is fitted; `measured` is what ran to its end so far. */
/** The calibration stopped before its fit — Ctrl-C, or a run that failed (`failure` says which and why). */
export class CalibrationInterrupted extends Error {
  constructor(
    readonly measured: CalibrationProgress,
    readonly failure?: string,
  ) {
    super(failure ? `a calibration run failed: ${failure}` : 'calibration interrupted');
  }
}

/** What a calibration has measured so far (written beside --out when it is interrupted). */
export interface CalibrationProgress {
  t1: { txCyclesPerPacket: number; gbps: number }[];
  txCyclesPerPacket: number | null;
  curve: CurvePoint[];
}

/** One calibration's execution (Ctrl-C stops it) and what it has measured so far. */
interface CalibrationRun {
  exec: Execution;
  progress: CalibrationProgress;
}

/**
 * Run `points`; stopped (Ctrl-C) or with a run that failed, it throws CalibrationInterrupted after `onStopped`
 * has been given the runs that ended (null for one stopped part-way or failed), so what they measured goes into
 * the progress.
 */
async function runPoints(run: CalibrationRun, points: ScenarioPoint[], workers: number, onStopped?: (ended: (R | null)[]) => void): Promise<R[]> {
  const outs = await run.exec.run(points, { workers });
  const failed = outs.find((o) => o.result.error)?.result;
  if (run.exec.wasStopped || failed) {
    // A failed run, like a stop, ends the calibration with what the others measured kept.
    onStopped?.(outs.map((o) => (o.result.interrupted || o.result.error ? null : (o.result as R))));
    throw new CalibrationInterrupted(run.progress, failed && !run.exec.wasStopped ? `${failed.scenario} ${failed.point}: ${failed.error}` : undefined);
  }
  return outs.map((o) => {
    const r = o.result as R;
    return r;
  });
}

/** Where the curve goes: beside --out, named after it (scenarios/calibration.yaml → scenarios/calibration-curve.json). */
export function curveFileFor(out: string): string {
  return join(dirname(out), `${basename(out).replace(/\.ya?ml$/i, '')}-curve.json`);
}

const stats = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
const dom0Of = (r: R) => r.domains?.find((d) => d.name === 'dom0')?.cpuPct ?? NaN;

/** Bracketing search for x with f(x) = target where f decreases in x. */
async function solveDecreasing(f: (x: number) => Promise<number>, target: number, lo: number, hi: number, iters: number, tolerance: number): Promise<{ x: number; y: number; n: number }> {
  let flo = await f(lo);
  let fhi = await f(hi);
  let n = 2;
  let best = Math.abs(flo - target) < Math.abs(fhi - target) ? { x: lo, y: flo } : { x: hi, y: fhi };
  for (let i = 0; i < iters && Math.abs(best.y - target) / target > tolerance; i++) {
    let x = Math.exp(Math.log(lo) + ((Math.log(flo) - Math.log(target)) / (Math.log(flo) - Math.log(Math.max(fhi, 1e-6)))) * (Math.log(hi) - Math.log(lo)));
    if (!(x > lo && x < hi)) x = Math.sqrt(lo * hi);
    x = Math.round(x * 1000) / 1000;
    const y = await f(x);
    n++;
    if (Math.abs(y - target) < Math.abs(best.y - target)) best = { x, y };
    if (y > target) {
      lo = x;
      flo = y;
    } else {
      hi = x;
      fhi = y;
    }
  }
  return { ...best, n };
}

/**
 * Where a mean curve crosses `target`, by log-linear interpolation between the
 * bracketing scales, or why not: not monotonic in the direction `sign` (beyond
 * the seeds' spread; unless `anyCrossing`), or the bracketing points differ by
 * less than their seeds' spread (the crossing is inside the noise), or never.
 */
export function crossing(curve: { scale: number; y: { mean: number; min: number; max: number } }[], target: number, sign: -1 | 1, anyCrossing = false): { scale: number } | { why: string } {
  for (let i = 1; i < curve.length && !anyCrossing; i++) {
    const a = curve[i - 1]!.y;
    const b = curve[i]!.y;
    const step = sign * (b.mean - a.mean);
    const noise = Math.max(a.max - a.min, b.max - b.min);
    if (step < -noise) return { why: `not monotonic: ${a.mean.toFixed(3)} → ${b.mean.toFixed(3)} between scales ${curve[i - 1]!.scale} and ${curve[i]!.scale} (seed spread ${noise.toFixed(3)})` };
  }
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    const lo = Math.min(a.y.mean, b.y.mean);
    const hi = Math.max(a.y.mean, b.y.mean);
    if (target < lo || target > hi) continue;
    if (hi - lo <= Math.max(a.y.max - a.y.min, b.y.max - b.y.min)) {
      return { why: `flat around the target: ${a.y.mean.toFixed(3)} at ${a.scale} vs ${b.y.mean.toFixed(3)} at ${b.scale}, within the seeds' spread` };
    }
    const t = (target - a.y.mean) / (b.y.mean - a.y.mean);
    return { scale: Math.round(Math.exp(Math.log(a.scale) + t * (Math.log(b.scale) - Math.log(a.scale))) * 1000) / 1000 };
  }
  const ys = curve.map((c) => c.y.mean);
  return { why: `never reaches ${target}: ${Math.min(...ys).toFixed(3)}…${Math.max(...ys).toFixed(3)} over scales ${curve[0]!.scale}…${curve[curve.length - 1]!.scale}` };
}

/** The first pair of adjacent curve scales whose mean bandwidths straddle the target. */
function firstBracket(curve: CurvePoint[], target: number): [number, number] | null {
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if ((a.gbps.mean - target) * (b.gbps.mean - target) <= 0) return [a.scale, b.scale];
  }
  return null;
}

export async function calibrate(opts: { out: string; workers: number; quick: boolean; log: (s: string) => void; exec?: Execution }): Promise<CalibrationResult> {
  const run: CalibrationRun = { exec: opts.exec ?? new Execution(), progress: { t1: [], txCyclesPerPacket: null, curve: [] } };
  const progress = run.progress;
  const dur = opts.quick ? { duration: '1500ms', warmup: '500ms' } : {};
  let evaluations = 0;
  opts.log(`calibrate: ${T1.field} to T1 = ${T1.targetGbps} Gbps (${T1.scenario})`);
  const t1 = await solveDecreasing(async (x) => {
    evaluations++;
    const [r] = await runPoints(run, loadScenario(repoPath(T1.scenario), { sets: [`${T1.field}=${x}`], overrides: dur }), 1);
    opts.log(`  ${T1.field}=${x} → ${(r!.throughputGbps ?? 0).toFixed(3)} Gbps`);
    progress.t1.push({ txCyclesPerPacket: x, gbps: r!.throughputGbps ?? 0 });
    return r!.throughputGbps ?? 0;
  }, T1.targetGbps, 1500, 12000, 8, 0.01);
  const tx = Math.round(t1.x);
  progress.txCyclesPerPacket = tx;

  opts.log(`calibrate: the curve of DomU bandwidth and Dom0 utilization against ${T2.field} (${CURVE_SCALES.length} scales × ${CURVE_SEEDS.length} seeds)`);
  const grid = CURVE_SCALES.flatMap((scale) => CURVE_SEEDS.map((seed) => ({ scale, seed })));
  const points = grid.map(({ scale, seed }) => loadScenario(repoPath(T2.scenario), { sets: [`${T1.field}=${tx}`, `${T2.field}=${scale}`], overrides: { ...dur, seed } })[0]!);
  // The curve over the runs that ended: a scale whose seeds all ended (an interrupted calibration keeps those).
  const curveOf = (ended: (R | null)[]): CurvePoint[] =>
    CURVE_SCALES.flatMap((scale) => {
      const mine = ended.filter((r, i): r is R => r !== null && grid[i]!.scale === scale);
      if (mine.length < CURVE_SEEDS.length) return [];
      return [{ scale, gbps: stats(mine.map((r) => r.throughputGbps ?? 0)), dom0Pct: stats(mine.map(dom0Of)) }];
    });
  const rs = await runPoints(run, points, opts.workers, (ended) => (progress.curve = curveOf(ended)));
  evaluations += rs.length;
  const curve = curveOf(rs);
  progress.curve = curve;
  for (const c of curve) opts.log(`  scale ${String(c.scale).padEnd(5)} DomU ${c.gbps.mean.toFixed(3)} Gbps [${c.gbps.min.toFixed(3)}…${c.gbps.max.toFixed(3)}]  Dom0 ${c.dom0Pct.mean.toFixed(1)}% [${c.dom0Pct.min.toFixed(1)}…${c.dom0Pct.max.toFixed(1)}]`);

  const onT2 = crossing(curve.map((c) => ({ scale: c.scale, y: c.gbps })), T2.targetGbps, -1);
  let scale: number;
  let fittedOn: CalibrationResult['scaleFittedOn'];
  let why: string;
  if ('scale' in onT2) {
    scale = onT2.scale;
    fittedOn = 'T2';
    why = `T2 pins the scale: the mean curve falls through ${T2.targetGbps} Gbps monotonically`;
  } else {
    const onDom0 = crossing(curve.map((c) => ({ scale: c.scale, y: c.dom0Pct })), T2.targetDom0Pct, 1);
    fittedOn = 'dom0-util';
    if ('scale' in onDom0) {
      scale = onDom0.scale;
      why = `T2 does not pin the scale (${onT2.why}); fitted to Dom0 at ${T2.targetDom0Pct}% instead`;
    } else {
      // Neither pins it: favour bandwidth (the paper's numbers cannot all be met) — the first crossing of T2.
      const bracket = firstBracket(curve, T2.targetGbps);
      if (bracket) {
        // Refine inside the bracket (3 log-spaced scales × the seeds) and keep the scale whose mean is closest to T2.
        const [a, b] = bracket;
        const inner = [1, 2, 3].map((k) => Math.round(Math.exp(Math.log(a) + (k / 4) * (Math.log(b) - Math.log(a))) * 1000) / 1000);
        const g2 = inner.flatMap((sc) => CURVE_SEEDS.map((seed) => ({ scale: sc, seed })));
        const r2 = await runPoints(run, g2.map(({ scale: sc, seed }) => loadScenario(repoPath(T2.scenario), { sets: [`${T1.field}=${tx}`, `${T2.field}=${sc}`], overrides: { ...dur, seed } })[0]!), opts.workers);
        evaluations += r2.length;
        const cands = [
          ...curve.filter((c) => c.scale === a || c.scale === b).map((c) => ({ scale: c.scale, g: c.gbps.mean })),
          ...inner.map((sc) => ({ scale: sc, g: stats(r2.filter((_, i) => g2[i]!.scale === sc).map((r) => r.throughputGbps ?? 0)).mean })),
        ];
        for (const c of cands) opts.log(`  refine: scale ${c.scale} → DomU ${c.g.toFixed(3)} Gbps (mean of ${CURVE_SEEDS.length} seeds)`);
        scale = cands.reduce((x, c) => (Math.abs(c.g - T2.targetGbps) < Math.abs(x.g - T2.targetGbps) ? c : x)).scale;
        fittedOn = 'T2';
        why = `T2 does not pin the scale cleanly (${onT2.why}) and Dom0's ${T2.targetDom0Pct}% is out of reach (${onDom0.why}); favouring bandwidth, the scale is the one closest to ${T2.targetGbps} Gbps inside the first bracket of the curve (${a}…${b}), refined`;
      } else {
        const best = curve.reduce((a, c) => (Math.abs(c.gbps.mean - T2.targetGbps) < Math.abs(a.gbps.mean - T2.targetGbps) ? c : a));
        scale = best.scale;
        fittedOn = 'T2';
        why = `neither T2 (${onT2.why}) nor Dom0's ${T2.targetDom0Pct}% (${onDom0.why}) can be met; the scale with bandwidth closest to T2 is used`;
      }
    }
  }
  opts.log(`calibrate: ${T2.field} = ${scale} — ${why}`);
  const check = await runPoints(run, CURVE_SEEDS.map((seed) => loadScenario(repoPath(T2.scenario), { sets: [`${T1.field}=${tx}`, `${T2.field}=${scale}`], overrides: { ...dur, seed } })[0]!), opts.workers);
  evaluations += check.length;
  const atFit = { gbps: stats(check.map((r) => r.throughputGbps ?? 0)).mean, dom0Pct: stats(check.map(dom0Of)).mean };
  const res: CalibrationResult = { txCyclesPerPacket: tx, t1Gbps: t1.y, table1Scale: scale, scaleFittedOn: fittedOn, why, curve, atFit, evaluations };
  writeFileSync(opts.out, calibrationYaml(res, opts.quick));
  writeFileSync(curveFileFor(opts.out), JSON.stringify({ ...res, quick: opts.quick }, null, 2) + '\n');
  return res;
}

export function calibrationYaml(r: CalibrationResult, quick = false): string {
  const curve = r.curve
    .map((c) => `#   ${String(c.scale).padEnd(5)} ${c.gbps.mean.toFixed(3)} Gbps [${c.gbps.min.toFixed(3)}…${c.gbps.max.toFixed(3)}]   Dom0 ${c.dom0Pct.mean.toFixed(1)}%`)
    .join('\n');
  return `# Written by \`vioemu calibrate\`${quick ? ' --quick: a QUICK FIT on 1.5 s runs, for a smoke test only; the reproduction wants a full one' : ''} (edit by hand only to experiment).
# The model's two free constants; every other number in the reproduction table is a prediction.
#   stressor.txCyclesPerPacket = ${r.txCyclesPerPacket}: fitted to T1 (native Linux 5.5 Gbps; ${r.t1Gbps.toFixed(3)} Gbps emulated).
#     Cycles per sent segment on the stressor's interrupt core, which bound the offered load.
#   costs.table1Scale = ${r.table1Scale}: the common scale on Table 1's bridge 11K, I/O channel 8.5K and
#     simple bridge 1.2K cycles (their ratios are kept). ${r.why}.
#     At this scale, 3 seeds: DomU ${r.atFit.gbps.toFixed(3)} Gbps, Dom0 ${r.atFit.dom0Pct.toFixed(1)}%.
# scaleFittedOn: ${r.scaleFittedOn}
# The curve (scale, DomU bandwidth mean [min…max] over 3 seeds, Dom0 utilization):
${curve}
# ${r.evaluations} simulations.
net:
  stressor:
    txCyclesPerPacket: ${r.txCyclesPerPacket}
  costs:
    table1Scale: ${r.table1Scale}
`;
}
