// Runs scenario points on a partition pool: one point over N partitions, or
// many points (a sweep) as independent single-partition tasks in parallel.
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';
import { MODEL_MODULES } from './models.ts';
import { assignHosts, PartitionPool, type RunHandle } from '../kernel/runner.ts';
import { coreMetricDefs } from '../metrics/coreMetrics.ts';
import { RunMetrics } from '../metrics/registry.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import type { Scenario } from '../scenario/model.ts';
import { MODELS } from '../scenario/registry.ts';
import { buildResult, type RunResult } from './result.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;

export interface ExecuteOptions {
  workers: number;
  trace?: boolean;
  perVcpuMetrics?: boolean;
  pace?: number;
  metrics?: RunMetrics;
  onProgress?: (p: { point: string; nowNs: number; endNs: number; events: number; wallSeconds: number }) => void;
  onPointDone?: (r: RunResult, index: number) => void;
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

export async function createRunMetrics(model: string): Promise<RunMetrics> {
  return new RunMetrics(await metricDefsFor(model));
}

/** Lookahead = the shortest link between hosts placed in different partitions (ARCHITECTURE §3). */
export function lookaheadFor(sc: Scenario, partitions: number): number {
  const adapter = MODELS[sc.model]!;
  let l = adapter.lookaheadNs(sc);
  const links = adapter.links?.(sc);
  if (links) {
    const place = assignHosts(adapter.hostCount(sc), Math.max(1, Math.min(partitions, adapter.hostCount(sc))));
    l = Infinity;
    for (const [a, b, ns] of links) if (place[a] !== place[b]) l = Math.min(l, ns);
  }
  return Math.max(l, sc.sync.minLookaheadNs);
}

/** A pool of partition threads that points can be run on one by one (the queue worker keeps one open). */
export function createPartitionPool(threads: number): PartitionPool {
  return new PartitionPool(threads, WORKER_URL);
}

/** A set of running points that Ctrl-C can stop together. */
export class Execution {
  private handles = new Set<RunHandle>();
  private stopped = false;

  stop(): void {
    this.stopped = true;
    for (const h of this.handles) h.stop();
  }

  get wasStopped(): boolean {
    return this.stopped;
  }

  async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    const single = points.length === 1;
    // Threads beyond the hosts of one run (or the points of a sweep) would only idle.
    const units = single ? MODELS[points[0]!.scenario.model]!.hostCount(points[0]!.scenario) : points.length;
    const threads = Math.max(1, Math.min(opts.workers, units));
    const pool = new PartitionPool(threads, WORKER_URL);
    try {
      return await Promise.all(points.map((p, i) => this.runPoint(pool, p, i, single ? threads : 1, opts)));
    } finally {
      await pool.destroy();
    }
  }

  /** One point on `pool` over `partitions` partitions (a sweep point: 1); `stop()` stops it too. */
  async runPoint(pool: PartitionPool, point: ScenarioPoint, index: number, partitions: number, opts: ExecuteOptions): Promise<PointOutput> {
    const sc = point.scenario;
    const adapter = MODELS[sc.model]!;
    const lookaheadNs = lookaheadFor(sc, partitions);
    const wallStart = process.hrtime.bigint();
    const wallSeconds = () => Number(process.hrtime.bigint() - wallStart) / 1e9;
    const metrics = opts.metrics;
    let eventsSeen = 0;
    const perPartitionEvents = new Map<number, number>();
    const handle = pool.start({
      model: sc.model,
      cfg: { ...adapter.workerConfig(sc) as object, seed: sc.seed, durationNs: sc.durationNs, warmupNs: sc.warmupNs },
      seed: sc.seed,
      endNs: sc.durationNs,
      lookaheadNs,
      hostCount: adapter.hostCount(sc),
      partitions,
      build: { trace: opts.trace ?? false, perVcpuMetrics: opts.perVcpuMetrics ?? false },
      pace: opts.pace,
      onMetrics: metrics
        ? (m) => {
            metrics.apply(m.updates);
            perPartitionEvents.set(m.partition, m.events);
            const total = [...perPartitionEvents.values()].reduce((a, b) => a + b, 0);
            metrics.incCounter('vioemu_events_total', total - eventsSeen);
            eventsSeen = total;
          }
        : undefined,
      onProgress: (p) => {
        const w = wallSeconds();
        if (metrics) {
          metrics.setGauge('vioemu_virtual_time_seconds', p.nowNs / 1e9);
          metrics.setGauge('vioemu_wall_time_seconds', w);
          metrics.setGauge('vioemu_realtime_factor', w > 0 ? p.nowNs / 1e9 / w : 0);
        }
        opts.onProgress?.({ point: point.label, nowNs: p.nowNs, endNs: sc.durationNs, events: p.events, wallSeconds: w });
      },
      progressIntervalMs: 250,
      sampleEveryNs: opts.sampler?.intervalNs,
      onSample: opts.sampler ? (m) => opts.sampler!.onSample(m.partition, Math.min(partitions, adapter.hostCount(sc)), m.sample.tNs, m.sample.series, m.sample.events) : undefined,
    });
    this.handles.add(handle);
    if (this.stopped) handle.stop();
    const out = await handle.done;
    this.handles.delete(handle);
    const w = wallSeconds();
    if (metrics) {
      metrics.setGauge('vioemu_virtual_time_seconds', out.reachedNs / 1e9);
      metrics.setGauge('vioemu_wall_time_seconds', w);
      metrics.setGauge('vioemu_realtime_factor', w > 0 ? out.reachedNs / 1e9 / w : 0);
    }
    const result = buildResult(sc, point.label, out, w, lookaheadNs);
    opts.onPointDone?.(result, index);
    return { result, trace: out.trace };
  }
}
