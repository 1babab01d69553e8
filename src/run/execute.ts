// Runs scenario points on a partition pool: one point over N partitions, or
// many points (a sweep) as independent single-partition tasks in parallel.
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';
import { MODEL_MODULES } from './models.ts';
import type { HostSection } from '../kernel/hostState.ts';
import type { CheckpointMessage } from '../kernel/partitionTask.ts';
import { PartitionPool, type RunHandle } from '../kernel/runner.ts';
import { coreMetricDefs } from '../metrics/coreMetrics.ts';
import type { RunMetrics } from '../metrics/registry.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import type { Scenario } from '../scenario/model.ts';
import { MODELS } from '../scenario/registry.ts';
import { planPartitions, type PartitionMode, type PartitionPlan } from './partitioning.ts';
import { buildResult, type RunResult } from './result.ts';

/** Defined (true) by scripts/build.mjs in the dist/ bundle. */
declare const __VIOEMU_BUNDLE__: boolean | undefined;

/**
 * The partition worker entry: its TypeScript source (loaded through tsx), or
 * the precompiled dist/worker.js when this code runs from the dist/ bundle
 * (where `import.meta.url` still names this source file, see scripts/build.mjs).
 */
export const WORKER_URL =
  typeof __VIOEMU_BUNDLE__ !== 'undefined' && __VIOEMU_BUNDLE__
    ? new URL('../../dist/worker.js', import.meta.url).href
    : new URL('./worker.ts', import.meta.url).href;

export interface ExecuteOptions {
  workers: number;
  /** How one run is split over the workers (default `auto`: only where it pays; see partitioning.ts). */
  partitionBy?: PartitionMode;
  trace?: boolean;
  perVcpuMetrics?: boolean;
  pace?: number;
  metrics?: RunMetrics;
  onProgress?: (p: { point: string; nowNs: number; endNs: number; events: number; wallSeconds: number; startNs?: number; startEvents?: number }) => void;
  onPointDone?: (r: RunResult, index: number) => void;
  /** Checkpoints (single runs): sections of every partition each `everyNs` of virtual time. */
  checkpoint?: { everyNs: number; onSection: (msg: CheckpointMessage, partitions: number) => void };
  /** Resume (single runs) from a checkpoint. */
  restore?: { instantNs: number; eventsBase: number; hosts: HostSection[] };
  /** OpenMetrics export: snapshots every `intervalNs` of virtual time. */
  sampler?: { intervalNs: number; onSample: (partition: number, partitions: number, tNs: number, series: MetricUpdate[], events: number) => void };
}

export interface PointOutput {
  result: RunResult;
  trace: unknown[];
}

export function metricDefsFor(model: string): MetricDef[] {
  return [...coreMetricDefs, ...MODEL_MODULES[model]!.metricDefs];
}

/**
 * A registry for the run's metrics; prom-client is loaded only here, by runs that export metrics (start-up).
 * `perPoint` (a sweep): every series carries its point's label.
 */
export async function createRunMetrics(model: string, opts: { perPoint?: boolean } = {}): Promise<RunMetrics> {
  const { RunMetrics } = await import('../metrics/registry.ts');
  return new RunMetrics(metricDefsFor(model), opts);
}

/** Lookahead = the shortest link between hosts placed in different partitions, hosts in `partitions` contiguous blocks. */
export function lookaheadFor(sc: Scenario, partitions: number): number {
  return planPartitions(sc, partitions, 'hosts').lookaheadNs;
}

/** The model configuration every partition of a run builds its hosts from. */
export function taskConfig(sc: Scenario): unknown {
  return { ...MODELS[sc.model]!.workerConfig(sc) as object, seed: sc.seed, durationNs: sc.durationNs, warmupNs: sc.warmupNs };
}

/** A pool of partition threads that points can be run on one by one (the queue worker keeps one open). */
export function createPartitionPool(threads: number): PartitionPool {
  return new PartitionPool(threads, WORKER_URL);
}

/** Every point of a sweep runs as one partition; the points run side by side on the threads. */
const sweepPointPlan = (sc: Scenario): PartitionPlan => ({ ...planPartitions(sc, 1), reason: 'sweep point: one partition per point, points side by side' });

/** A set of running points that Ctrl-C can stop together. */
export class Execution {
  private handles = new Set<RunHandle>();
  private stopped = false;
  /** Indices (in the points given to run) of points a stop came before and that ran no event (in order). */
  readonly neverRan: number[] = [];

  stop(): void {
    this.stopped = true;
    for (const h of this.handles) h.stop();
  }

  get wasStopped(): boolean {
    return this.stopped;
  }

  async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    const single = points.length === 1;
    // One run: only the partitions that pay (partitioning.ts); a sweep: a point per thread. More would only idle.
    const plan = single ? planPartitions(points[0]!.scenario, opts.workers, opts.partitionBy) : null;
    const threads = plan ? plan.partitions : Math.max(1, Math.min(opts.workers, points.length));
    const pool = new PartitionPool(threads, WORKER_URL);
    try {
      // At most one point per thread at a time, in order: a point's wall clock (and its start-up figure) starts
      // when a thread takes it, not while it waits behind earlier points.
      const outs: PointOutput[] = new Array(points.length);
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < points.length; i = next++) {
          const stoppedBefore = this.stopped;
          outs[i] = await this.runPoint(pool, points[i]!, i, plan ?? sweepPointPlan(points[i]!.scenario), opts);
          // Started after a stop, a point stops at its first window (RunRequest.stopped); only a point that ran
          // no event is said never to have run.
          if (stoppedBefore && outs[i]!.result.events === 0) this.neverRan.push(i);
        }
      };
      await Promise.all(Array.from({ length: threads }, lane));
      this.neverRan.sort((a, b) => a - b);
      return outs;
    } finally {
      await pool.destroy();
    }
  }

  /**
   * One point on `pool`, over at most `partitions` partitions (planned as
   * opts.partitionBy says), or as `plan` says; `stop()` stops it too.
   */
  async runPoint(pool: PartitionPool, point: ScenarioPoint, index: number, partitions: number | PartitionPlan, opts: ExecuteOptions): Promise<PointOutput> {
    const sc = point.scenario;
    const adapter = MODELS[sc.model]!;
    const plan = typeof partitions === 'number' ? planPartitions(sc, Math.min(partitions, pool.threads), opts.partitionBy) : partitions;
    const lookaheadNs = plan.lookaheadNs;
    const wallStart = process.hrtime.bigint();
    const wallStartMs = Date.now();
    const wallSeconds = () => Number(process.hrtime.bigint() - wallStart) / 1e9;
    const metrics = opts.metrics;
    // A sweep's series are the point's own (RunMetrics.perPoint); a single run's carry no point.
    const pointLabel = metrics?.perPoint ? point.label : undefined;
    // A resumed run starts at its checkpoint: virtual time per wall second counts only what this process simulated.
    const startNs = opts.restore?.instantNs ?? 0;
    let eventsSeen = 0;
    const perPartitionEvents = new Map<number, number>();
    // Virtual time as far as the flushed counters go (the slowest partition's last flush): a scrape
    // then reads counters and the time they belong to together, so busy seconds ÷ virtual seconds ≤ 1.
    const perPartitionNowNs = new Map<number, number>();
    if (metrics && opts.restore) {
      // A resumed run is at the checkpoint from the start: until every partition's first flush (building and
      // restoring the hosts can take seconds) a scrape must not read virtual time 0 and a counter reset to 0.
      // Partition 0 counts on from the checkpoint's events (sim.resetForRestore), the others from 0.
      metrics.setGauge('vioemu_virtual_time_seconds', opts.restore.instantNs / 1e9, pointLabel);
      perPartitionEvents.set(0, opts.restore.eventsBase);
      metrics.incCounter('vioemu_events_total', opts.restore.eventsBase, pointLabel);
      eventsSeen = opts.restore.eventsBase;
    }
    const handle = pool.start({
      model: sc.model,
      cfg: taskConfig(sc),
      seed: sc.seed,
      endNs: sc.durationNs,
      lookaheadNs,
      hostCount: adapter.hostCount(sc),
      partitions: plan.partitions,
      hostPartition: plan.hostPartition,
      build: { trace: opts.trace ?? false, perVcpuMetrics: opts.perVcpuMetrics ?? false },
      pace: opts.pace,
      onMetrics: metrics
        ? (m) => {
            metrics.apply(m.updates, pointLabel);
            perPartitionEvents.set(m.partition, m.events);
            perPartitionNowNs.set(m.partition, m.nowNs);
            if (perPartitionNowNs.size === plan.partitions) metrics.setGauge('vioemu_virtual_time_seconds', Math.min(...perPartitionNowNs.values()) / 1e9, pointLabel);
            const total = [...perPartitionEvents.values()].reduce((a, b) => a + b, 0);
            metrics.incCounter('vioemu_events_total', total - eventsSeen, pointLabel);
            eventsSeen = total;
          }
        : undefined,
      onProgress: (p) => {
        const w = wallSeconds();
        if (metrics) {
          metrics.setGauge('vioemu_wall_time_seconds', w, pointLabel);
          metrics.setGauge('vioemu_realtime_factor', w > 0 ? Math.max(0, p.nowNs - startNs) / 1e9 / w : 0, pointLabel);
        }
        opts.onProgress?.({ point: point.label, nowNs: p.nowNs, endNs: sc.durationNs, events: p.events, wallSeconds: w, startNs: opts.restore?.instantNs, startEvents: opts.restore?.eventsBase });
      },
      progressIntervalMs: 250,
      sampleEveryNs: opts.sampler?.intervalNs,
      checkpoint: opts.checkpoint ? { everyNs: opts.checkpoint.everyNs, onSection: (m) => opts.checkpoint!.onSection(m, plan.partitions) } : undefined,
      restore: opts.restore,
      stopped: this.stopped,
      onSample: opts.sampler ? (m) => opts.sampler!.onSample(m.partition, plan.partitions, m.sample.tNs, m.sample.series, m.sample.events) : undefined,
    });
    this.handles.add(handle);
    if (this.stopped) handle.stop();
    const out = await handle.done;
    this.handles.delete(handle);
    const w = wallSeconds();
    if (metrics) {
      metrics.setGauge('vioemu_virtual_time_seconds', out.reachedNs / 1e9, pointLabel);
      metrics.setGauge('vioemu_wall_time_seconds', w, pointLabel);
      metrics.setGauge('vioemu_realtime_factor', w > 0 ? Math.max(0, out.reachedNs - startNs) / 1e9 / w : 0, pointLabel);
    }
    // Start-up: thread start and module loading until the last partition began (worker and main share the wall clock).
    const startup = Number.isFinite(out.simStartedAtMs) ? Math.min(w, Math.max(0, (out.simStartedAtMs - wallStartMs) / 1e3)) : 0;
    const result = buildResult(sc, point.label, out, w, lookaheadNs, plan.reason, startup, startNs);
    if (opts.restore) result.threads.resumedAtNs = opts.restore.instantNs;
    opts.onPointDone?.(result, index);
    return { result, trace: out.trace };
  }
}
