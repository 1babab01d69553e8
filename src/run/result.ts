// The result JSON of one run: common fields plus the model's
// summary. Wall-clock and partitioning facts sit under names that mark them as
// such (`wall*`, `threads`) so results can be compared across worker counts.
import type { RunOutput } from '../kernel/runner.ts';
import { formatNs } from '../kernel/time.ts';
import type { Scenario } from '../scenario/model.ts';
import { MODELS } from '../scenario/registry.ts';

export interface RunResult {
  scenario: string;
  model: string;
  point: string;
  seed: number;
  virtualSeconds: number;
  warmupSeconds: number;
  events: number;
  xstateEvents: number;
  eventsPerVirtualSecond: number;
  xstateEventsPerVirtualSecond: number;
  interrupted: boolean;
  /** "Name: message (partition P, virtual time T)": the first partition's own failure. */
  error?: string;
  /** Where the error happened; `partition` depends on the worker count. */
  errorAt?: { partition: number; virtualTimeNs: number };
  /** Wall seconds of the whole point, start-up included. */
  wallSeconds: number;
  /** Of which: starting the worker threads and loading the model code, before the first host is built. */
  startupWallSeconds: number;
  /** Virtual seconds per wall second of the simulation (building and running the hosts; start-up excluded). */
  realTimeFactor: number;
  /** How the run was split (depends on --workers): partitions used, and why that many. */
  threads: { partitions: number; windows: number; crossPartitionMessages: number; lookaheadNs: number; reason?: string; resumedAtNs?: number };
  [field: string]: unknown;
}

/** `startNs`: where this process's simulation began (a resume's checkpoint instant); the virtual time before it took no wall time here. */
export function buildResult(sc: Scenario, point: string, out: RunOutput, wallSeconds: number, lookaheadNs: number, reason?: string, startupWallSeconds = 0, startNs = 0): RunResult {
  const virtualSeconds = out.reachedNs / 1e9;
  const simWallSeconds = wallSeconds - startupWallSeconds;
  const simulatedSeconds = Math.max(0, out.reachedNs - startNs) / 1e9;
  let summary: Record<string, unknown> = {};
  const failure = out.error;
  let error = failure ? `${failure.name}: ${failure.message} (partition ${failure.partition}, virtual time ${formatNs(failure.atNs)})` : undefined;
  try {
    summary = MODELS[sc.model]!.summarize(sc, out);
  } catch (e) {
    error ??= `summarize: ${(e as Error).message}`;
  }
  return {
    scenario: sc.name,
    model: sc.model,
    point,
    seed: sc.seed,
    virtualSeconds,
    warmupSeconds: sc.warmupNs / 1e9,
    events: out.events,
    xstateEvents: out.xstateEvents,
    eventsPerVirtualSecond: virtualSeconds > 0 ? Math.round(out.events / virtualSeconds) : 0,
    xstateEventsPerVirtualSecond: virtualSeconds > 0 ? Math.round(out.xstateEvents / virtualSeconds) : 0,
    interrupted: out.interrupted,
    ...(error ? { error } : {}),
    ...(failure ? { errorAt: { partition: failure.partition, virtualTimeNs: failure.atNs } } : {}),
    ...summary,
    wallSeconds,
    startupWallSeconds,
    realTimeFactor: simWallSeconds > 0 ? simulatedSeconds / simWallSeconds : 0,
    threads: { partitions: out.partitions, windows: out.windows, crossPartitionMessages: out.crossMessages, lookaheadNs, ...(reason ? { reason } : {}) },
  };
}
