// `vioemu reproduce`, `calibrate` and `sensitivity`: many runs, then one
// table or file. As with `run`, every output path is checked before anything
// runs (a bad one is exit 2 naming the flag, not a stack trace after the
// work), and Ctrl-C (or SIGTERM, SIGHUP) stops the runs and writes what was
// measured, then exits 128 + the signal's number.
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { repoPath } from '../repoPath.ts';
import { Execution } from '../run/execute.ts';
import type { RedisTarget } from '../queue/url.ts';
import { checkOutputPath } from './outputPaths.ts';
import { durationFlag, intFlag } from './flagValues.ts';
import { SignalStop } from './signals.ts';
import { UsageError } from './usage.ts';

const say = (s: string) => process.stderr.write(s + '\n');

/** Workers for a batch of runs: at least 1, at most the cores (with a note). */
function batchWorkers(text: string): number {
  const asked = intFlag('workers', text, 1)!;
  const cores = availableParallelism();
  if (asked > cores) say(`vioemu: --workers ${asked} capped to ${cores} (${cores} core${cores === 1 ? '' : 's'} available)`);
  return Math.min(asked, cores);
}

/** Run `f` with Ctrl-C stopping its execution; what it returned or threw, and the exit code a signal asks for (or null). */
async function stoppable<T>(f: (exec: Execution) => Promise<T>): Promise<{ value?: T; error?: unknown; signalExit: number | null }> {
  const exec = new Execution();
  const signals = new SignalStop(() => exec.stop());
  signals.install();
  try {
    return { value: await f(exec), signalExit: signals.exitCode };
  } catch (error) {
    return { error, signalExit: signals.exitCode };
  } finally {
    signals.uninstall();
  }
}

/**
 * A default --out of calibrate and sensitivity: a file of the repository (the calibration the paper scenarios
 * include, the doc the README links), wherever vioemu is started, as the scenarios they run are read from it.
 * Shown relative to the current folder when it lies inside it.
 */
function repositoryFile(file: string): string {
  const abs = repoPath(file);
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

export interface ReproduceFlags {
  json?: boolean;
  out: string;
  quick?: boolean;
  workers: string;
  queue?: string;
}

export async function reproduceCommand(flags: ReproduceFlags): Promise<number> {
  const queue: RedisTarget | undefined = flags.queue !== undefined ? (await import('../queue/url.ts')).parseQueueUrl(flags.queue) : undefined;
  const workers = batchWorkers(flags.workers);
  const { FIGURE_IDS } = await import('../report/figures.ts');
  // Every file and folder it writes there: one in the way failed after the runs, with the table unwritten.
  checkOutputPath('--out', flags.out, 'dir', ['results.json', 'index.html', 'results.partial.json', 'index.partial.html', ...FIGURE_IDS.map((id) => `${id}.svg`)]);
  checkOutputPath('--out', join(flags.out, 'runs'), 'dir');
  const { reproduce, formatTable, PAPER_SCENARIOS } = await import('../report/reproduce.ts');
  // Each scenario's runs go in runs/<scenario>/: a file there failed at the first run's end with a stack trace.
  for (const name of PAPER_SCENARIOS) checkOutputPath('--out', join(flags.out, 'runs', name), 'dir');
  const { summarize } = await import('../report/targets.ts');
  const { value, error, signalExit } = await stoppable((exec) => reproduce({ outDir: flags.out, workers, quick: flags.quick ?? false, queue, exec, log: say }));
  if (error !== undefined) throw error;
  const r = value!;
  const quick = flags.quick ?? false;
  if (flags.json) process.stdout.write(JSON.stringify({ summary: summarize(r.rows), quick, interrupted: r.interrupted, ...(r.failed.length ? { failed: r.failed } : {}), rows: r.rows }, null, 2) + '\n');
  else process.stdout.write(formatTable(r.rows) + `\n\nwrote ${flags.out}/${r.interrupted ? 'index.partial.html, results.partial.json' : 'index.html, results.json, figures'} (${r.wallSeconds.toFixed(0)} s)\n`);
  // Its table looks like the reproduction's; its pass counts are not (one seed, 1.2 s runs: README's are of the full one).
  if (quick) say(`vioemu: note: a --quick reproduction (one seed, short runs) is a smoke test; its verdicts and pass counts are not the reproduction's (run without --quick for those)`);
  if (r.failed.length > 0) {
    const f = r.failed[0]!;
    say(`vioemu: ${r.failed.length} of ${r.interrupted!.of} runs failed (the first: ${f.scenario}${f.point ? ` ${f.point}` : ''} seed ${f.seed}: ${f.error}); their result files under ${flags.out}/runs/ say why`);
  }
  if (r.interrupted) {
    say(`vioemu: ${r.failed.length > 0 ? 'incomplete' : 'interrupted'}: the table is made of the ${r.interrupted.completed} of ${r.interrupted.of} runs that ended (rows without theirs fail), in ${flags.out}/results.partial.json and index.partial.html; a complete reproduction there is left as it was`);
  }
  return signalExit ?? (r.failed.length > 0 ? 1 : 0);
}

export interface CalibrateFlags {
  /** Default: the repository's scenarios/calibration.yaml. */
  out?: string;
  quick?: boolean;
  workers: string;
}

export async function calibrateCommand(given: CalibrateFlags): Promise<number> {
  // Every paper scenario includes scenarios/calibration.yaml: a smoke-test fit there would quietly become the
  // constants of every later run and of reproduce.
  if (given.quick && given.out === undefined) {
    throw new UsageError('--quick: a smoke-test fit would replace scenarios/calibration.yaml, which every paper scenario includes; give --out for it (e.g. --out /tmp/calibration.yaml)');
  }
  const flags = { ...given, out: given.out ?? repositoryFile('scenarios/calibration.yaml') };
  const workers = batchWorkers(flags.workers);
  const { calibrate, CalibrationInterrupted, curveFileFor } = await import('../report/calibrate.ts');
  checkOutputPath('--out', flags.out, 'file');
  checkOutputPath('--out (the curve beside it)', curveFileFor(flags.out), 'file');
  const partial = `${curveFileFor(flags.out).replace(/\.json$/, '')}.partial.json`;
  checkOutputPath('--out (the partial curve beside it)', partial, 'file');
  const { value, error, signalExit } = await stoppable((exec) => calibrate({ out: flags.out, workers, quick: flags.quick ?? false, log: say, exec }));
  if (error instanceof CalibrationInterrupted) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(partial, JSON.stringify({ interrupted: true, ...(error.failure ? { failed: error.failure } : {}), ...error.measured }, null, 2) + '\n');
    const what = error.failure ? `a run failed (${error.failure})` : 'interrupted';
    say(`vioemu: ${what}: nothing fitted, ${flags.out} left as it was; what was measured (${error.measured.t1.length} T1 runs, ${error.measured.curve.length} curve scales) is in ${partial}`);
    return signalExit ?? (error.failure ? 1 : 130);
  }
  if (error !== undefined) throw error;
  const r = value!;
  if (flags.quick) say(`vioemu: note: a --quick fit (short runs) is a smoke test; ${flags.out} says so in its header`);
  process.stdout.write(
    `stressor.txCyclesPerPacket = ${r.txCyclesPerPacket} (T1 ${r.t1Gbps.toFixed(3)} Gbps)\n` +
      `costs.table1Scale = ${r.table1Scale}, fitted on ${r.scaleFittedOn}: ${r.why}\n` +
      `  at this scale: DomU ${r.atFit.gbps.toFixed(3)} Gbps, Dom0 ${r.atFit.dom0Pct.toFixed(1)}%\nwrote ${flags.out} and ${curveFileFor(flags.out)}\n`,
  );
  return signalExit ?? 0;
}

export interface SensitivityFlags {
  /** Default: the repository's docs/sensitivity.md. */
  out?: string;
  seeds: string;
  duration?: string;
  workers: string;
}

export async function sensitivityCommand(given: SensitivityFlags): Promise<number> {
  const flags = { ...given, out: given.out ?? repositoryFile('docs/sensitivity.md') };
  const workers = batchWorkers(flags.workers);
  const parts = flags.seeds.split(',').map((s) => s.trim());
  // Number('') is 0: an empty item (or an empty list) is an error, not seed 0.
  const seeds = parts.map((s) => (s === '' ? NaN : Number(s)));
  if (seeds.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) throw new UsageError(`--seeds: want integers 0..2^32-1, got ${JSON.stringify(flags.seeds)}`);
  // A shortened run keeps a third of itself (at most 500 ms) as warm-up, so anything from 3 ms on measures something.
  const durationNs = flags.duration !== undefined ? durationFlag('duration', flags.duration, 3_000_000) : undefined;
  checkOutputPath('--out', flags.out, 'file');
  checkOutputPath('--out (the partial table beside it)', `${flags.out}.partial`, 'file');
  const { sensitivity } = await import('../report/sensitivity.ts');
  const { value, error, signalExit } = await stoppable((exec) => sensitivity({ scenario: 'scenarios/paper/fig3-domu.yaml', seeds, durationNs, workers, out: flags.out, log: say, exec }));
  if (error !== undefined) throw error;
  const r = value!;
  if (r.failed) say(`vioemu: ${r.failed.count} of ${r.interrupted?.of ?? r.failed.count} runs failed (the first: ${r.failed.first})`);
  if (r.interrupted) {
    say(`vioemu: ${r.failed ? 'incomplete' : 'interrupted'}: ${r.interrupted.completed} of ${r.interrupted.of} runs ended; their table is in ${flags.out}.partial (${flags.out} left as it was)`);
  } else process.stdout.write(`wrote ${flags.out}\n`);
  return signalExit ?? (r.failed ? 1 : 0);
}
