// The contract between the kernel and a model (kernel demo, Xen host, ...).
// The host is the unit of placement: a partition runs whole hosts, so results
// are gathered per host and combined in host order, whatever the worker count.
import type { MetricDef } from './metricSink.ts';
import type { Sim } from './sim.ts';

/** Actor ids are hostIndex * HOST_ID_STRIDE + local index, fixed by the scenario. */
export const HOST_ID_STRIDE = 1 << 20;

export function actorId(hostIndex: number, localIndex: number): number {
  if (localIndex < 0 || localIndex >= HOST_ID_STRIDE) throw new RangeError(`local actor index ${localIndex} out of range`);
  return hostIndex * HOST_ID_STRIDE + localIndex;
}

export function hostOfActor(id: number): number {
  return Math.floor(id / HOST_ID_STRIDE);
}

export interface HostInstance {
  /** Host result at the end of the run (plain data, msgpackr/JSON-serialisable). */
  collect(endNs: number): unknown;
  /** Optional trace events (Chrome trace JSON objects) gathered when tracing was asked for. */
  traceEvents?(): unknown[];
  /** XState events this host's actors handled. */
  xstateEvents?(): number;
  /**
   * The objects that hold this host's state (checkpoints): everything the host
   * changes as it runs must be reachable from them through object fields —
   * not held in closures. A host without it cannot be checkpointed.
   */
  persist?(): unknown[];
  /** The `host` label of this host's metric series (checkpoints carry each host's series with it). */
  metricsHost?: string;
}

export interface BuildOptions {
  trace: boolean;
  perVcpuMetrics: boolean;
}

/** What a model module (loaded by URL inside workers) exports. */
export interface ModelModule<Cfg = unknown> {
  metricDefs: readonly MetricDef[];
  buildHost(sim: Sim, cfg: Cfg, hostIndex: number, opts: BuildOptions): HostInstance;
}

/**
 * The virtual time a host's counters cover at `endNs`: from the end of the warm-up (when they were reset),
 * or from 0 when the run ended — was stopped — before the warm-up was over, so the counters were never
 * reset (dividing them by the 1 ns past a warm-up never reached gave rates of 10^12 %).
 */
export function measuredSpanNs(endNs: number, warmupNs: number): number {
  return Math.max(1, endNs > warmupNs ? endNs - warmupNs : endNs);
}
