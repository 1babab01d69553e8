// Partition task body, run inside a piscina worker: builds this partition's hosts from the
// model module, runs the windowed loop, streams metric deltas to the main
// thread at a bounded rate and returns per-host results — also after Ctrl-C or
// a failure, so what was gathered is not lost.
import type { MessagePort } from 'node:worker_threads';
import { SharedControl } from './barrier.ts';
import type { BuildOptions, HostInstance, ModelModule } from './model.ts';
import { HOST_ID_STRIDE } from './model.ts';
import { runPartition, SoloTransport, type Transport } from './partitionLoop.ts';
import { RelayTransport, type RelayEnds } from './relayTransport.ts';
import { SabTransport } from './sabTransport.ts';
import { Sim } from './sim.ts';
import { captureHost, kernelOpaque, restoreHost, stampHost, type HostSection } from './hostState.ts';
import { tuneJit } from './jit.ts';
import type { Opaque } from './snapshot.ts';

/** First multiple of `everyNs` after `t` (0 = never). */
function nextMultiple(t: number, everyNs: number): number {
  return everyNs > 0 ? (Math.floor(t / everyNs) + 1) * everyNs : Infinity;
}

export interface PartitionTaskInput {
  /** Model name; the worker entry maps it to a ModelModule. */
  model: string;
  cfg: unknown;
  seed: number;
  endNs: number;
  lookaheadNs: number;
  /** Host index → partition index, for every host of the run. */
  hostPartition: number[];
  partitions: number;
  self: number;
  controlBuffer: SharedArrayBuffer;
  /** ports[p] to partition p (null for self): carries SabTransport's rings, which carry the batches. */
  ports: (MessagePort | null)[];
  /** Peers in other processes: windows go through a relay on this process's main thread (ports unused). */
  relay?: RelayEnds;
  metricsPort: MessagePort | null;
  metricsIntervalMs: number;
  build: BuildOptions;
  /** Virtual seconds per wall second; 0 = as fast as possible. */
  pace: number;
  /** Snapshot every series each this many virtual ns (OpenMetrics export); 0 = never. */
  sampleEveryNs: number;
  /** Capture this partition's hosts each this many virtual ns (checkpoints); 0 = never. */
  checkpointEveryNs?: number;
  /** Resume: start from a checkpoint instead of virtual time 0. */
  restore?: PartitionRestore;
}

/** What a partition needs to continue from a checkpoint. */
export interface PartitionRestore {
  instantNs: number;
  /** Events the whole run had processed at the instant (carried by partition 0). */
  eventsBase: number;
  /** The sections of this partition's hosts. */
  hosts: HostSection[];
}

/** One partition's hosts at a checkpoint instant (to the main thread, which writes the file). */
export interface CheckpointMessage {
  partition: number;
  /** captureMs: wall time the capture took (reported, never part of results). */
  checkpoint: { instantNs: number; events: number; hosts: HostSection[]; captureMs: number };
}

export interface HostResult {
  hostIndex: number;
  result: unknown;
}

export interface PartitionTaskOutput {
  self: number;
  hosts: HostResult[];
  reachedNs: number;
  events: number;
  xstateEvents: number;
  windows: number;
  crossMessages: number;
  interrupted: boolean;
  trace: unknown[];
  error: PartitionError | null;
  /** Wall clock (ms since the epoch) when this task began, after its thread and modules loaded: start-up ends here. */
  startedAtMs: number;
}

/** What went wrong in a partition, where and when (virtual time) it happened. */
export interface PartitionError {
  name: string;
  message: string;
  stack?: string;
  partition: number;
  atNs: number;
  /** Only the echo of another partition's failure (it left the barrier because of it). */
  echo: boolean;
}

/** Error name of a checkpoint section that does not fit the rebuilt host. */
export const RESTORE_ERROR = 'CheckpointRestoreError';

/** The message the barrier throws in partitions that did not fail themselves. */
export const ABORT_ECHO_MESSAGE = 'aborted: another partition failed';

export function runPartitionTask(input: PartitionTaskInput, model: ModelModule): PartitionTaskOutput {
  tuneJit();
  const control = new SharedControl(input.partitions, input.controlBuffer);
  const sim = new Sim({
    seed: input.seed,
    partition: input.self,
    partitions: input.partitions,
    partitionOf: (id) => input.hostPartition[Math.floor(id / HOST_ID_STRIDE)] ?? -1,
    lookaheadNs: input.lookaheadNs,
  });
  sim.metrics.define(model.metricDefs);
  const hosts: { index: number; inst: HostInstance; stamped: object[] }[] = [];
  const checkpointEveryNs = input.checkpointEveryNs ?? 0;
  const keepsState = checkpointEveryNs > 0 || input.restore !== undefined;
  let opaque: Opaque = () => false;
  let error: PartitionTaskOutput['error'] = null;
  let loop = { reachedNs: 0, windows: 0, crossMessages: 0, interrupted: false };
  const counts = { windows: 0, crossMessages: 0 };
  const wallStartMs = Date.now();
  let lastFlushMs = wallStartMs;
  const flushMetrics = (final: boolean) => {
    if (!input.metricsPort) return;
    input.metricsPort.postMessage({ partition: input.self, updates: sim.metrics.flush(), nowNs: sim.nowNs, events: sim.eventsProcessed, final });
  };
  const startNs = input.restore?.instantNs ?? 0;
  let nextSampleNs = input.sampleEveryNs > 0 ? nextMultiple(startNs, input.sampleEveryNs) : Infinity;
  let nextCheckpointNs = nextMultiple(startNs, checkpointEveryNs);
  // Samples and checkpoints happen at stops: every partition holds exactly the events before the instant.
  const stops = {
    nextNs: () => Math.min(nextSampleNs, nextCheckpointNs),
    at: (tNs: number) => {
      if (tNs === nextSampleNs) {
        input.metricsPort?.postMessage({ partition: input.self, sample: { tNs, series: sim.metrics.snapshot(), events: sim.eventsProcessed } });
        nextSampleNs += input.sampleEveryNs;
      }
      if (tNs === nextCheckpointNs) {
        if (tNs < input.endNs) {
          const t0 = performance.now();
          const sections = hosts.map((h) => captureHost(sim, h.index, h.inst, h.stamped, opaque));
          const msg: CheckpointMessage = { partition: input.self, checkpoint: { instantNs: tNs, events: sim.eventsProcessed, hosts: sections, captureMs: performance.now() - t0 } };
          input.metricsPort?.postMessage(msg);
        }
        nextCheckpointNs += checkpointEveryNs;
      }
    },
  };
  try {
    if (keepsState) opaque = kernelOpaque(sim, [input.cfg]);
    input.hostPartition.forEach((p, h) => {
      if (p !== input.self) return;
      const inst = model.buildHost(sim, input.cfg, h, input.build);
      // Numbered right after building: a resumed run builds the same objects in the same order.
      hosts.push({ index: h, inst, stamped: keepsState ? stampHost(inst, opaque, h) : [] });
    });
    if (input.restore) {
      const r = input.restore;
      sim.resetForRestore(r.instantNs, input.self === 0 ? r.eventsBase : 0);
      const byHost = new Map(r.hosts.map((s) => [s.hostIndex, s]));
      for (const h of hosts) {
        try {
          const section = byHost.get(h.index);
          if (!section) throw new Error('missing');
          restoreHost(sim, section, h.stamped);
        } catch (e) {
          // Named so the resume command can tell a checkpoint that does not fit (exit 2) from a model failure.
          const err = new Error(`host:${h.index}: ${(e as Error).message.replace(/^host \d+: /, '')}`);
          err.name = RESTORE_ERROR;
          throw err;
        }
      }
    }
    const transport: Transport = input.relay
      ? new RelayTransport(input.self, input.partitions, input.relay)
      : input.partitions === 1
        ? new SoloTransport()
        : new SabTransport(input.self, input.partitions, control, input.ports.map((p) => p ?? undefined));
    const paceWindowNs = input.pace > 0 ? Math.round(10e6 * Math.max(1, input.pace)) : Infinity;
    loop = runPartition(
      sim,
      transport,
      input.endNs,
      input.lookaheadNs,
      {
        stopRequested: () => Atomics.load(control.ctrl, 2) === 1,
        stops: nextSampleNs === Infinity && nextCheckpointNs === Infinity ? undefined : stops,
        onWindow: (s) => {
          control.setProgress(input.self, s.nowNs, s.eventsProcessed);
          if (input.pace > 0) {
            // From where this process began: a resumed run starts at its checkpoint, not at virtual time 0.
            const dueMs = wallStartMs + (s.nowNs - startNs) / 1e6 / input.pace;
            const waitMs = dueMs - Date.now();
            if (waitMs > 1) Atomics.wait(control.ctrl, 7, 0, waitMs);
          }
          const nowMs = Date.now();
          if (nowMs - lastFlushMs >= input.metricsIntervalMs) {
            lastFlushMs = nowMs;
            flushMetrics(false);
          }
        },
      },
      paceWindowNs,
      counts,
    );
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const echo = control.aborted && err.message === ABORT_ECHO_MESSAGE;
    error = { name: err.name, message: err.message, stack: err.stack, partition: input.self, atNs: sim.nowNs, echo };
    control.abort();
    loop = { ...counts, reachedNs: sim.nowNs, interrupted: true };
  }
  control.setProgress(input.self, loop.reachedNs, sim.eventsProcessed);
  const out: PartitionTaskOutput = {
    self: input.self,
    hosts: [],
    reachedNs: loop.reachedNs,
    events: sim.eventsProcessed,
    xstateEvents: 0,
    windows: loop.windows,
    crossMessages: loop.crossMessages,
    interrupted: loop.interrupted,
    trace: [],
    error,
    startedAtMs: wallStartMs,
  };
  for (const h of hosts) {
    try {
      out.hosts.push({ hostIndex: h.index, result: h.inst.collect(loop.reachedNs) });
      out.xstateEvents += h.inst.xstateEvents?.() ?? 0;
      if (input.build.trace && h.inst.traceEvents) for (const e of h.inst.traceEvents()) out.trace.push(e);
    } catch (e) {
      if (!out.error) out.error = { name: (e as Error).name, message: `collect host ${h.index}: ${(e as Error).message}`, stack: (e as Error).stack, partition: input.self, atNs: loop.reachedNs, echo: false };
    }
  }
  flushMetrics(true);
  return out;
}
