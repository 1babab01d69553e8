// The run's prom-client registry (main thread). Workers send counter deltas,
// gauge values and histogram bucket deltas; this adds them up. Histograms are
// exposed through a small custom metric because prom-client's Histogram only
// takes single observations.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';

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

  add(labels: string[], bucketDeltas: number[], sumDelta: number, countDelta: number): void {
    const key = labels.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(this.def.labelNames.map((n, i) => [n, labels[i]!])), buckets: bucketDeltas.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    bucketDeltas.forEach((d, i) => (s!.buckets[i]! += d));
    s.sum += sumDelta;
    s.count += countDelta;
  }

  async get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    const bounds = this.def.buckets ?? [];
    for (const s of this.series.values()) {
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

export class RunMetrics {
  readonly registry = new Registry();
  private counters = new Map<string, Counter>();
  private gauges = new Map<string, Gauge>();
  private hists = new Map<string, AggregatedHistogram>();

  constructor(defs: readonly MetricDef[]) {
    for (const d of defs) this.define(d);
  }

  define(d: MetricDef): void {
    if (this.counters.has(d.name) || this.gauges.has(d.name) || this.hists.has(d.name)) return;
    const cfg = { name: d.name, help: d.help, labelNames: [...d.labelNames], registers: [this.registry] };
    if (d.type === 'counter') this.counters.set(d.name, new Counter(cfg));
    else if (d.type === 'gauge') this.gauges.set(d.name, new Gauge(cfg));
    else {
      const h = new AggregatedHistogram(d);
      this.registry.registerMetric(h as unknown as Metric);
      this.hists.set(d.name, h);
    }
  }

  private labelsOf(name: string, labels: string[]): Record<string, string> {
    const def = (this.counters.get(name) ?? this.gauges.get(name)) as unknown as { labelNames: string[] } | undefined;
    const names = def?.labelNames ?? [];
    return Object.fromEntries(names.map((n, i) => [n, labels[i]!]));
  }

  apply(updates: readonly MetricUpdate[]): void {
    for (const u of updates) {
      const c = this.counters.get(u.name);
      if (c) {
        // inc(0) creates the series, so dashboards see it before anything happened.
        if (u.value >= 0) c.inc(this.labelsOf(u.name, u.labels), u.value);
        continue;
      }
      const g = this.gauges.get(u.name);
      if (g) {
        g.set(this.labelsOf(u.name, u.labels), u.value);
        continue;
      }
      const h = this.hists.get(u.name);
      if (h) h.add(u.labels, u.buckets ?? [], u.sum ?? 0, u.value);
    }
  }

  setGauge(name: string, value: number): void {
    this.gauges.get(name)?.set(value);
  }

  incCounter(name: string, by: number): void {
    if (by > 0) this.counters.get(name)?.inc(by);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
