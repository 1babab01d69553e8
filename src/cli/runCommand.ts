// `vioemu run` / `vioemu sweep`: check everything first (exit 2 on bad input,
// before anything runs: scenario, flags, output paths, metrics port), execute,
// then write the result before the larger artefacts — also after a signal
// (exit 128+n) or a worker crash (exit 1).
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { formatNs } from '../kernel/time.ts';
import { OpenMetricsWriter } from '../metrics/openmetrics.ts';
import { POINT_LABEL } from '../metrics/coreMetrics.ts';
import { createRunMetrics, Execution, metricDefsFor } from '../run/execute.ts';
import type { RunResult } from '../run/result.ts';
import { describeListenError, serveMetrics, type MetricsServer } from '../metrics/server.ts';
import { parseQueueUrl, type RedisTarget } from '../queue/url.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import { MODELS } from '../scenario/registry.ts';
import { loadForCommand } from './commonOptions.ts';
import { durationFlag, intFlag, MAX_EPOCH, MAX_LINGER, numFlag } from './flagValues.ts';
import { humanSummary, outFileNames, removeStaleResults, writeOutDir } from './output.ts';
import { checkOutputPath } from './outputPaths.ts';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { CheckpointCollector } from '../checkpoint/collector.ts';
import { listCheckpoints, type Checkpoint } from '../checkpoint/store.ts';
import { VIOEMU_VERSION } from '../checkpoint/version.ts';
import { RESTORE_ERROR } from '../kernel/partitionTask.ts';
import { Progress } from './progress.ts';
import { SignalStop } from './signals.ts';
import { UsageError } from './usage.ts';

export interface RunFlags {
  set: string[];
  seed?: string;
  duration?: string;
  workers: string;
  partitionBy?: string;
  json?: boolean;
  out?: string;
  metricsPort?: string;
  metricsHost: string;
  metricsLinger?: string;
  pace?: string;
  trace?: string;
  perVcpuMetrics?: boolean;
  openmetrics?: string;
  openmetricsInterval: string;
  openmetricsEpoch: string;
  queue?: string;
  transport?: string;
  partition?: string;
  transportTimeout?: string;
  checkpoint?: string;
  checkpointEvery: string;
  /** Keep running through SIGHUP and the parent process's exit. */
  ignoreHangup?: boolean;
}

/**
 * An output path as a checkpoint keeps it: an absolute one as given; a relative one relative to the checkpoint
 * folder, so that `vioemu resume` writes the same files from any folder, and still beside the checkpoints when
 * the project (or the folder) was moved or copied to another machine — an absolute path would name the old place.
 */
export function savedOutputPath(checkpointDir: string, path: string): string {
  return isAbsolute(path) ? path : relative(resolve(checkpointDir), resolve(path)) || '.';
}

/** The path `vioemu resume` writes to for a saved output path (relative to the current folder, as a flag is). */
export function resumedOutputPath(checkpointDir: string, saved: string): string {
  return isAbsolute(saved) ? saved : relative(process.cwd(), resolve(checkpointDir, saved)) || '.';
}

/** How many never-run points an interrupted sweep names on stderr. */
const NEVER_RAN_NAMED = 10;

/** What `run` checked and prepared, and what `resume` rebuilds from a checkpoint. */
export interface RunSetup {
  points: ScenarioPoint[];
  workers: number;
  partitionBy: 'auto' | 'hosts';
  metricsPort?: number;
  metricsHost: string;
  lingerS: number;
  pace: number;
  om: { file: string; intervalNs: number; epochS: number } | null;
  /** resumedFrom: the checkpoint file a resumed run started from. */
  checkpoint: { dir: string; everyNs: number; scenarioFile: string; resumedFrom?: string } | null;
  restore: Checkpoint | null;
}

/**
 * Threads worth starting: a run splits by hosts, a sweep by points, and no
 * more than the machine's cores either way. Says so on stderr when it caps.
 */
export function capWorkers(asked: number, points: ScenarioPoint[], cores = availableParallelism(), note: (s: string) => void = () => {}): number {
  const single = points.length === 1;
  const units = single ? MODELS[points[0]!.scenario.model]!.hostCount(points[0]!.scenario) : points.length;
  const limits: [number, string][] = [
    [units, single ? `the scenario has ${units} host${units === 1 ? '' : 's'}` : `the sweep has ${units} points`],
    [cores, `${cores} core${cores === 1 ? '' : 's'} available`],
  ];
  let workers = asked;
  let why = '';
  for (const [n, w] of limits) {
    if (n >= 1 && n < workers) {
      workers = n;
      why = w;
    }
  }
  if (workers < asked) note(`vioemu: --workers ${asked} capped to ${workers} (${why})`);
  return workers;
}

export async function runCommand(file: string | undefined, flags: RunFlags): Promise<number> {
  // Signals count from the start: one that arrives while loading stops the run at its first window.
  const exec = new Execution();
  const signals = new SignalStop(() => exec.stop(), { ignoreHangup: flags.ignoreHangup });
  signals.install();
  try {
    if (flags.transport !== undefined || flags.partition !== undefined) {
      // One partition of a run over NATS (nats.js is loaded only here).
      const { clusterCommand } = await import('../cluster/command.ts');
      return await clusterCommand(file, flags, () => exec.wasStopped, signals);
    }
    if (file === undefined) throw new UsageError("missing required argument 'scenario'");
    return await checkAndRun(file, flags, exec, signals);
  } finally {
    signals.uninstall();
  }
}

/** The flags every run takes (run, sweep, resume), checked; exit 2 (UsageError) on the first bad one. */
export function commonSetup(flags: RunFlags) {
  const askedWorkers = intFlag('workers', flags.workers, 1)!;
  const partitionBy = flags.partitionBy ?? 'auto';
  if (partitionBy !== 'auto' && partitionBy !== 'hosts') throw new UsageError(`--partition-by: want auto or hosts, got ${JSON.stringify(partitionBy)}`);
  const metricsPort = intFlag('metrics-port', flags.metricsPort, 0, 65535);
  const metricsHost = flags.metricsHost.trim();
  if (metricsHost === '') throw new UsageError('--metrics-host: empty host');
  const lingerS = numFlag('metrics-linger', flags.metricsLinger, 0, MAX_LINGER) ?? 0;
  const pace = numFlag('pace', flags.pace, 0) ?? 0;
  return { askedWorkers, partitionBy: partitionBy as 'auto' | 'hosts', metricsPort, metricsHost, lingerS, pace };
}

async function checkAndRun(file: string, flags: RunFlags, exec: Execution, signals: SignalStop): Promise<number> {
  const common = commonSetup(flags);
  const omIntervalNs = durationFlag('openmetrics-interval', flags.openmetricsInterval);
  if (omIntervalNs % 1e6 !== 0) throw new UsageError(`--openmetrics-interval: want whole milliseconds (Prometheus timestamps are ms), got ${JSON.stringify(flags.openmetricsInterval)}`);
  const omEpochS = numFlag('openmetrics-epoch', flags.openmetricsEpoch, 0, MAX_EPOCH)!;
  const checkpointEveryNs = durationFlag('checkpoint-every', flags.checkpointEvery);
  const queueTarget = flags.queue !== undefined ? parseQueueUrl(flags.queue) : undefined;
  const points = loadForCommand(file, flags);
  if (queueTarget) return runQueued(flags, points, queueTarget, exec, signals);
  if (flags.openmetrics && points.length > 1) throw new UsageError('--openmetrics takes a single run, not a sweep');
  // Every point's hosts would share the trace's process ids: one timeline of overlapping runs.
  if (flags.trace && points.length > 1) throw new UsageError(`--trace takes a single run, not a sweep of ${points.length} points (run the point you want to see with --set)`);
  if (flags.openmetrics) noteMetricPeriod(points[0]!, omIntervalNs);
  if (flags.checkpoint !== undefined) checkCheckpointable(points, flags);
  // Every output path is checked before the run: a bad one costs nothing now, the result later.
  if (flags.out !== undefined) checkOutputPath('--out', flags.out, 'dir', outFileNames(points.length));
  if (flags.openmetrics !== undefined) checkOutputPath('--openmetrics', flags.openmetrics, 'file');
  if (flags.trace !== undefined) checkOutputPath('--trace', flags.trace, 'file');
  if (flags.checkpoint !== undefined) {
    checkOutputPath('--checkpoint', flags.checkpoint, 'dir');
    const old = listCheckpoints(flags.checkpoint);
    if (old.length) throw new UsageError(`--checkpoint: ${flags.checkpoint} already holds checkpoints of a run (${basename(old[0]!)}); continue it with \`vioemu resume ${flags.checkpoint}\` or choose an empty folder`);
  }
  const workers = capWorkers(common.askedWorkers, points, undefined, (s) => process.stderr.write(s + '\n'));
  return runSetup(
    {
      ...common,
      points,
      workers,
      om: flags.openmetrics !== undefined ? { file: flags.openmetrics, intervalNs: omIntervalNs, epochS: omEpochS } : null,
      checkpoint: flags.checkpoint !== undefined ? { dir: flags.checkpoint, everyNs: checkpointEveryNs, scenarioFile: file } : null,
      restore: null,
    },
    flags,
    exec,
    signals,
  );
}

/**
 * OpenMetrics samples read what the model last pushed; a model pushes at its own period (which
 * --openmetrics-interval does not change: the pushes are events, and results must not depend on
 * how a run is observed). Finer samples would repeat values, so say so before the run.
 */
function noteMetricPeriod(point: ScenarioPoint, omIntervalNs: number): void {
  const period = MODELS[point.scenario.model]!.metricPeriod?.(point.scenario);
  if (!period || omIntervalNs % period.ns === 0) return;
  const how = period.field ? `; set \`${period.field}\` to change it` : '';
  process.stderr.write(
    `vioemu: note: the ${point.scenario.model} model updates its metrics every ${formatNs(period.ns)} of virtual time${how}; ` +
      `--openmetrics-interval ${formatNs(omIntervalNs)} is not a multiple of it, so some samples repeat or lag their instant\n`,
  );
}

/** --checkpoint needs one run of a model whose hosts keep their state where a checkpoint sees it. */
function checkCheckpointable(points: ScenarioPoint[], flags: RunFlags): void {
  if (points.length > 1) throw new UsageError(`--checkpoint takes a single run, not a sweep of ${points.length} points (a sweep's points are short; run a long point on its own)`);
  const model = points[0]!.scenario.model;
  if (!MODELS[model]!.checkpointable) throw new UsageError(`--checkpoint: the ${model} model cannot be checkpointed (its actors keep timers as closures); the xen and net models can`);
  if (flags.trace !== undefined) throw new UsageError('--checkpoint: not with --trace (a trace is kept in memory until the end; a resumed run would lose its first part)');
}

/**
 * What a sweep's /metrics is: every series carries the point that wrote it (RunMetrics.perPoint), so points that
 * run one after another or side by side neither overwrite nor reset each other's counters.
 */
export function sweepMetricsNote(points: number): string {
  return `the ${points} points of this sweep each have their own series, labelled ${POINT_LABEL}="<path=value,…>" as in their results (sum without (${POINT_LABEL}) adds them up)`;
}

/** Start the metrics server, run, write results then artefacts; the exit code. */
export async function runSetup(setup: RunSetup, flags: RunFlags, exec: Execution, signals: SignalStop): Promise<number> {
  const { points, workers, partitionBy, metricsPort, metricsHost, lingerS, pace } = setup;
  const model = points[0]!.scenario.model;
  const metrics = metricsPort !== undefined || setup.om ? await createRunMetrics(model, { perPoint: points.length > 1 }) : undefined;
  let server: MetricsServer | null = null;
  if (metrics && metricsPort !== undefined) {
    try {
      server = await serveMetrics(metrics, metricsPort, metricsHost);
    } catch (e) {
      const { flag, message } = describeListenError(e as NodeJS.ErrnoException, metricsHost, metricsPort);
      throw new UsageError(`--${flag}: ${message}`);
    }
    process.stderr.write(`vioemu: metrics at ${server.url}\n`);
    if (points.length > 1) process.stderr.write(`vioemu: note: ${sweepMetricsNote(points.length)}\n`);
  }

  let code = 0;
  try {
    const progress = new Progress();
    const om = setup.om ? new OpenMetricsWriter(metricDefsFor(model), setup.om.epochS, setup.om.intervalNs) : null;
    const restore = setup.restore;
    if (restore?.openmetrics && om) om.load(restore.openmetrics);
    const cp = setup.checkpoint;
    const collector = cp
      ? new CheckpointCollector(
          cp.dir,
          {
            vioemuVersion: VIOEMU_VERSION,
            point: points[0]!,
            hostCount: MODELS[model]!.hostCount(points[0]!.scenario),
            options: {
              // `vioemu resume` may run from another folder (a new shell, after a reboot) and must write the same
              // files, not a second set relative to wherever it was started (savedOutputPath).
              scenarioFile: resolve(cp.scenarioFile),
              checkpointEveryNs: cp.everyNs,
              perVcpuMetrics: flags.perVcpuMetrics ?? false,
              partitionBy,
              ...(flags.out !== undefined ? { out: savedOutputPath(cp.dir, flags.out) } : {}),
              ...(flags.json ? { json: true } : {}),
              ...(setup.om ? { openmetrics: { ...setup.om, file: savedOutputPath(cp.dir, setup.om.file) } } : {}),
            },
          },
          om,
          (line) => signals.say(line + '\n'),
        )
      : null;
    const outs = await exec.run(points, {
      workers,
      partitionBy,
      trace: flags.trace !== undefined,
      perVcpuMetrics: flags.perVcpuMetrics ?? false,
      pace,
      metrics,
      onProgress: (p) => progress.update(p),
      onPointDone: (r) => progress.done(r.point),
      sampler: om ? { intervalNs: om.probeEveryNs, onSample: (p, n, t, series, events) => om.add(p, n, t, series, events) } : undefined,
      checkpoint: collector && cp ? { everyNs: cp.everyNs, onSection: (m, parts) => collector.onSection(m, parts) } : undefined,
      restore: restore ? { instantNs: restore.meta.instantNs, eventsBase: restore.meta.eventsBase, hosts: restore.hosts } : undefined,
    });
    const results: RunResult[] = outs.map((o) => o.result);
    const unfit = restore ? results.find((r) => r.error?.startsWith(`${RESTORE_ERROR}:`)) : undefined;
    if (unfit) {
      // Nothing ran: no result to write, the checkpoint is the problem.
      signals.say(`vioemu: checkpoint ${unfit.error!.slice(RESTORE_ERROR.length + 2).replace(/ \(partition \d+, virtual time [^)]*\)$/, '')}\n`);
      return 2;
    }
    code = writeOutputs({ ...flags, openmetrics: setup.om?.file }, results, om, () => outs.flatMap((o) => o.trace));
    // As a queued sweep says it: a point that never ran reads like one stopped at 0 virtual seconds.
    const neverRan = points.length > 1 ? exec.neverRan.length : 0;
    if (neverRan > 0) {
      // A sweep of thousands of points names the first few; the result JSON has them all.
      const shown = exec.neverRan.slice(0, NEVER_RAN_NAMED).map((i) => points[i]!.label).join(', ');
      const more = neverRan > NEVER_RAN_NAMED ? ` and ${neverRan - NEVER_RAN_NAMED} more` : '';
      signals.say(`vioemu: ${neverRan} point${neverRan === 1 ? '' : 's'} never ran (reported as interrupted): ${shown}${more}\n`);
    }
    if (collector?.failures) {
      signals.say(`vioemu: ${collector.failures} checkpoint${collector.failures > 1 ? 's' : ''} could not be written\n`);
      code = 1;
    }
    // A resumed run stopped before its next checkpoint can still be continued from the one it resumed from.
    const resumable = collector?.lastFile ? cp!.dir : cp?.resumedFrom;
    if (collector && signals.received && resumable) signals.say(`vioemu: continue with: vioemu resume ${resumable}\n`);
    if (server && lingerS > 0 && !signals.received) {
      signals.say(`vioemu: serving final metrics for ${lingerS}s more\n`);
      signals.runEnded('serving /metrics');
      await signals.sleep(lingerS * 1000);
    }
    const failed = results.find((r) => r.error);
    if (failed) {
      signals.say(`vioemu: run failed: ${failed.error}\n`);
      code = 1;
    }
  } finally {
    await server?.close();
  }
  return signals.exitCode ?? code;
}

/** --queue: the points run on `vioemu worker` processes; the same outputs and exit codes as a local sweep. */
async function runQueued(flags: RunFlags, points: ScenarioPoint[], target: RedisTarget, exec: Execution, signals: SignalStop): Promise<number> {
  const local = (['metricsPort', 'trace', 'openmetrics', 'perVcpuMetrics', 'checkpoint'] as const).find((k) => flags[k] !== undefined);
  if (local) throw new UsageError(`--${local.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: not available with --queue (the points run on the workers)`);
  if (numFlag('pace', flags.pace, 0)) throw new UsageError('--pace: not available with --queue (the points run on the workers)');
  if (flags.out !== undefined) checkOutputPath('--out', flags.out, 'dir', outFileNames(points.length));
  if (flags.workers !== '1') signals.say(`vioemu: --workers has no effect with --queue (each \`vioemu worker --workers N\` sets its own)\n`);
  const { queuedSweep } = await import('../queue/sweep.ts'); // BullMQ and ioredis only when asked for
  const results = await queuedSweep(points, { target, stopped: () => exec.wasStopped, say: (line) => signals.say(line + '\n') });
  let code = writeOutputs(flags, results, null, () => []);
  const failed = results.find((r) => r.error);
  if (failed) {
    signals.say(`vioemu: run failed: ${failed.error}\n`);
    code = 1;
  }
  return signals.exitCode ?? code;
}

/**
 * Results first (--out, then stdout), then the larger artefacts (OpenMetrics,
 * trace): a failed artefact is reported and never costs the result. Returns 1
 * if anything could not be written.
 */
export function writeOutputs(flags: RunFlags, results: RunResult[], om: OpenMetricsWriter | null, traces: () => unknown[]): number {
  let code = 0;
  const attempt = (what: string, write: () => void) => {
    try {
      write();
    } catch (e) {
      process.stderr.write(`vioemu: could not write ${what}: ${(e as Error).message}\n`);
      code = 1;
    }
  };
  if (flags.out !== undefined) {
    attempt(`--out ${flags.out}`, () => {
      const written = writeOutDir(flags.out!, results);
      for (const f of written) process.stderr.write(`vioemu: wrote ${f}\n`);
      const stale = removeStaleResults(flags.out!, written);
      if (stale.length > 0) process.stderr.write(`vioemu: removed ${stale.length} result file(s) of an earlier run from ${flags.out}: ${stale.join(', ')}\n`);
    });
  }
  if (flags.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  else for (const r of results) process.stdout.write(humanSummary(r) + '\n');
  if (om) {
    attempt(`--openmetrics ${flags.openmetrics}`, () => {
      om.write(flags.openmetrics!);
      process.stderr.write(`vioemu: wrote ${flags.openmetrics} (${om.samples} samples every ${formatNs(om.intervalNs)} of virtual time)\n`);
    });
  }
  if (flags.trace !== undefined) {
    attempt(`--trace ${flags.trace}`, () => writeFileSync(flags.trace!, JSON.stringify({ traceEvents: traces(), displayTimeUnit: 'ns' }) + '\n'));
  }
  return code;
}
