// Partition task body, run inside a piscina worker: builds this partition's hosts from the
// model module, runs the windowed loop, streams metric deltas to the main
// thread at a bounded rate and returns per-host results — also after Ctrl-C or
// a failure, so what was gathered is not lost.
import type { MessagePort } from 'node:worker_threads';
import { SharedControl } from './barrier.ts';
import type { BuildOptions, HostInstance, ModelModule } from './model.ts';
import { HOST_ID_STRIDE } from './model.ts';
import { runPartition, SoloTransport, type Transport } from './partitionLoop.ts';
import { PortTransport } from './portTransport.ts';
import { Sim } from './sim.ts';

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
  ports: (MessagePort | null)[];
  metricsPort: MessagePort | null;
  metricsIntervalMs: number;
  build: BuildOptions;
  /** Virtual seconds per wall second; 0 = as fast as possible. */
  pace: number;
  /** Snapshot every series each this many virtual ns (OpenMetrics export); 0 = never. */
  sampleEveryNs: number;
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

/** The message the barrier throws in partitions that did not fail themselves. */
export const ABORT_ECHO_MESSAGE = 'aborted: another partition failed';

export function runPartitionTask(input: PartitionTaskInput, model: ModelModule): PartitionTaskOutput {
  const control = new SharedControl(input.partitions, input.controlBuffer);
  const sim = new Sim({
    seed: input.seed,
    partition: input.self,
    partitions: input.partitions,
    partitionOf: (id) => input.hostPartition[Math.floor(id / HOST_ID_STRIDE)] ?? -1,
    lookaheadNs: input.lookaheadNs,
  });
  sim.metrics.define(model.metricDefs);
  const hosts: { index: number; inst: HostInstance }[] = [];
  let error: PartitionTaskOutput['error'] = null;
  let loop = { reachedNs: 0, windows: 0, crossMessages: 0, interrupted: false };
  const wallStartMs = Date.now();
  let lastFlushMs = wallStartMs;
  const flushMetrics = (final: boolean) => {
    if (!input.metricsPort) return;
    input.metricsPort.postMessage({ partition: input.self, updates: sim.metrics.flush(), nowNs: sim.nowNs, events: sim.eventsProcessed, final });
  };
  let nextSampleNs = input.sampleEveryNs > 0 ? input.sampleEveryNs : Infinity;
  const takeSamples = (uptoNs: number) => {
    while (nextSampleNs <= uptoNs && nextSampleNs <= input.endNs) {
      input.metricsPort?.postMessage({ partition: input.self, sample: { tNs: nextSampleNs, series: sim.metrics.snapshot(), events: sim.eventsProcessed } });
      nextSampleNs += input.sampleEveryNs;
    }
  };
  try {
    input.hostPartition.forEach((p, h) => {
      if (p === input.self) hosts.push({ index: h, inst: model.buildHost(sim, input.cfg, h, input.build) });
    });
    const transport: Transport =
      input.partitions === 1
        ? new SoloTransport()
        : new PortTransport(input.self, input.partitions, control, input.ports.map((p) => p ?? undefined));
    const paceWindowNs = Math.min(
      input.pace > 0 ? Math.round(10e6 * Math.max(1, input.pace)) : Infinity,
      input.sampleEveryNs > 0 ? input.sampleEveryNs : Infinity,
    );
    loop = runPartition(
      sim,
      transport,
      input.endNs,
      input.lookaheadNs,
      {
        stopRequested: () => Atomics.load(control.ctrl, 2) === 1,
        onWindow: (s) => {
          control.setProgress(input.self, s.nowNs, s.eventsProcessed);
          takeSamples(s.nowNs);
          if (input.pace > 0) {
            const dueMs = wallStartMs + s.nowNs / 1e6 / input.pace;
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
    );
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const echo = control.aborted && err.message === ABORT_ECHO_MESSAGE;
    error = { name: err.name, message: err.message, stack: err.stack, partition: input.self, atNs: sim.nowNs, echo };
    control.abort();
    loop.reachedNs = sim.nowNs;
    loop.interrupted = true;
  }
  control.setProgress(input.self, loop.reachedNs, sim.eventsProcessed);
  if (!error) takeSamples(loop.reachedNs);
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
