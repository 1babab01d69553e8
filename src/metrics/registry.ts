// The run's prom-client registry (main thread). Workers send each changed
// series' current value (counters and histograms cumulative), which replaces
// the one held here: the exposed value is exactly the worker's, however the
// flushes fell (and after a resume). Counters and histograms are small custom
// metrics because prom-client's Counter only adds and its Histogram only
// takes single observations.
import { Gauge, Registry, type Metric } from 'prom-client';
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';
import { POINT_LABEL } from './coreMetrics.ts';

/**
 * Series in the order of their label values, not of their first update: which partition's flush came first
 * depends on --workers and on a resume, and the exposition must not (README: final /metrics byte for byte).
 */
function byLabels<T>(series: Iterable<[string, T]>): T[] {
  return [...series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

/** prom-client's Gauge, its series in label order (see byLabels). */
class SortedGauge extends Gauge {
  override async get() {
    const m = await super.get();
    const names = (this as unknown as { labelNames: string[] }).labelNames;
    const key = (l: Record<string, unknown>) => names.map((n) => String(l[n] ?? '')).join('\u0000');
    m.values = byLabels(m.values.map((v) => [key(v.labels), v] as [string, (typeof m.values)[number]]));
    return m;
  }
}

interface HistSeries {
  labels: Record<string, string>;
  buckets: number[];
  sum: number;
  count: number;
}

class AggregatedHistogram {
  readonly type = 'histogram';
  private series = new Map<string, HistSeries>();
  constructor(readonly def: MetricDef) {}

  get name() {
    return this.def.name;
  }
  get help() {
    return this.def.help;
  }

  set(labels: string[], buckets: number[], sum: number, count: number): void {
    const key = labels.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(this.def.labelNames.map((n, i) => [n, labels[i]!])), buckets: [], sum: 0, count: 0 };
      this.series.set(key, s);
    }
    s.buckets = [...buckets];
    s.sum = sum;
    s.count = count;
  }

  async get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    const bounds = this.def.buckets ?? [];
    for (const s of byLabels(this.series)) {
      let cum = 0;
      bounds.forEach((le, i) => {
        cum += s.buckets[i]!;
        values.push({ value: cum, labels: { ...s.labels, le }, metricName: `${this.def.name}_bucket` });
      });
      values.push({ value: s.count, labels: { ...s.labels, le: '+Inf' }, metricName: `${this.def.name}_bucket` });
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.def.name}_sum` });
      values.push({ value: s.count, labels: s.labels, metricName: `${this.def.name}_count` });
    }
    return { name: this.def.name, help: this.def.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset() {
    this.series.clear();
  }
}

/** A counter whose series are set to the workers' cumulative values (label-less ones start at 0, as prom-client's do). */
class ValueCounter {
  readonly type = 'counter';
  private series = new Map<string, { labels: Record<string, string>; value: number }>();
  constructor(readonly def: MetricDef) {
    if (def.labelNames.length === 0) this.series.set('', { labels: {}, value: 0 });
  }

  get name() {
    return this.def.name;
  }
  get help() {
    return this.def.help;
  }

  set(labels: readonly string[], value: number): void {
    const key = labels.join('\u0000');
    const s = this.series.get(key);
    if (s) s.value = value;
    else this.series.set(key, { labels: Object.fromEntries(this.def.labelNames.map((n, i) => [n, labels[i]!])), value });
  }

  /** Add to a series kept on the main thread (label values as set() takes them). */
  inc(labels: readonly string[], by: number): void {
    const key = labels.join('\u0000');
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.set(labels, by);
  }

  async get() {
    return { name: this.def.name, help: this.def.help, type: 'counter', values: byLabels(this.series).map((s) => ({ value: s.value, labels: s.labels })), aggregator: 'sum' };
  }

  reset() {
    this.series.clear();
  }
}

export interface RunMetricsOptions {
  /**
   * A sweep: every series, the run's own too, carries the point that wrote it, so points running one after
   * another or side by side keep series of their own (a single run has none, so its exposition is unchanged).
   */
  perPoint?: boolean;
}

export class RunMetrics {
  readonly registry = new Registry();
  readonly perPoint: boolean;
  private counters = new Map<string, ValueCounter>();
  private gauges = new Map<string, Gauge>();
  private hists = new Map<string, AggregatedHistogram>();

  constructor(defs: readonly MetricDef[], opts: RunMetricsOptions = {}) {
    this.perPoint = opts.perPoint ?? false;
    for (const d of defs) this.define(d);
  }

  define(given: MetricDef): void {
    const d = this.perPoint ? { ...given, labelNames: [POINT_LABEL, ...given.labelNames] } : given;
    if (this.counters.has(d.name) || this.gauges.has(d.name) || this.hists.has(d.name)) return;
    const cfg = { name: d.name, help: d.help, labelNames: [...d.labelNames], registers: [this.registry] };
    if (d.type === 'counter') {
      const c = new ValueCounter(d);
      this.registry.registerMetric(c as unknown as Metric);
      this.counters.set(d.name, c);
    } else if (d.type === 'gauge') this.gauges.set(d.name, new SortedGauge(cfg));
    else {
      const h = new AggregatedHistogram(d);
      this.registry.registerMetric(h as unknown as Metric);
      this.hists.set(d.name, h);
    }
  }

  private labelsOf(name: string, labels: string[]): Record<string, string> {
    const def = this.gauges.get(name) as unknown as { labelNames: string[] } | undefined;
    const names = def?.labelNames ?? [];
    return Object.fromEntries(names.map((n, i) => [n, labels[i]!]));
  }

  /** The label values a series has here: the point's first in a sweep (`point` is required then). */
  private withPoint(labels: readonly string[], point: string | undefined): string[] {
    if (!this.perPoint) return labels as string[];
    if (point === undefined) throw new Error('RunMetrics: a sweep\'s series need the point that wrote them');
    return [point, ...labels];
  }

  /** Series values from a worker (MetricSink.flush): each replaces the one held. */
  apply(updates: readonly MetricUpdate[], point?: string): void {
    for (const u of updates) {
      const labels = this.withPoint(u.labels, point);
      const c = this.counters.get(u.name);
      if (c) {
        // A value of 0 creates the series, so dashboards see it before anything happened.
        c.set(labels, u.value);
        continue;
      }
      const g = this.gauges.get(u.name);
      if (g) {
        g.set(this.labelsOf(u.name, labels), u.value);
        continue;
      }
      const h = this.hists.get(u.name);
      if (h) h.set(labels, u.buckets ?? [], u.sum ?? 0, u.value);
    }
  }

  /** A run-level gauge kept on the main thread (virtual and wall time, real-time factor). */
  setGauge(name: string, value: number, point?: string): void {
    const g = this.gauges.get(name);
    if (!g) return;
    if (this.perPoint) g.set({ [POINT_LABEL]: this.withPoint([], point)[0]! }, value);
    else g.set(value);
  }

  /** A run-level counter kept on the main thread (events processed). */
  incCounter(name: string, by: number, point?: string): void {
    if (by > 0) this.counters.get(name)?.inc(this.withPoint([], point), by);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
