// Worker-side metric accumulator. Models record into it by metric name and a
// fixed label tuple; the runner ships the changed series' current values to the
// main thread, which owns the prom-client registry (registries cannot be shared
// across threads). Values, not deltas: a series' value on the main thread is then
// exactly the worker's, whenever the flushes happened (summed float deltas would
// round differently with flush timing, and after a resume).

export interface MetricDef {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labelNames: readonly string[];
  /** Histogram bucket upper bounds (base units). */
  buckets?: readonly number[];
}

/** One serialisable series value: counters and histograms cumulative since the run began. */
export interface MetricUpdate {
  name: string;
  labels: string[];
  /** counter/gauge value; histogram: count. */
  value: number;
  /** histogram: per-bucket counts (not cumulative over buckets; last = +Inf) and sum. */
  buckets?: number[];
  sum?: number;
}

/** A series resolved once by name and labels, for callers that record into it on every event. */
export type SeriesHandle = Series;

interface Series {
  def: MetricDef;
  labels: string[];
  value: number;
  buckets: Float64Array | null;
  sum: number;
  dirty: boolean;
}

export class MetricSink {
  private defs = new Map<string, MetricDef>();
  private series = new Map<string, Series>();
  private order: Series[] = [];
  /** Series by metric name and label-array identity: models pass the same label arrays again and again. */
  private byArray = new Map<string, WeakMap<readonly string[], Series>>();

  define(defs: readonly MetricDef[]): void {
    for (const d of defs) this.defs.set(d.name, d);
  }

  private get(name: string, labels: readonly string[]): Series {
    let fast = this.byArray.get(name);
    const hit = fast?.get(labels);
    if (hit) return hit;
    const s = this.getByKey(name, labels);
    if (!fast) this.byArray.set(name, (fast = new WeakMap()));
    fast.set(labels, s);
    return s;
  }

  private getByKey(name: string, labels: readonly string[]): Series {
    const key = labels.length ? `${name}\u0000${labels.join('\u0000')}` : name;
    let s = this.series.get(key);
    if (!s) {
      const def = this.defs.get(name);
      if (!def) throw new Error(`metric ${name} is not defined`);
      if (def.labelNames.length !== labels.length) {
        throw new Error(`metric ${name} wants labels [${def.labelNames.join(',')}], got ${labels.length}`);
      }
      const nb = def.type === 'histogram' ? (def.buckets?.length ?? 0) + 1 : 0;
      s = { def, labels: [...labels], value: 0, buckets: nb ? new Float64Array(nb) : null, sum: 0, dirty: false };
      this.series.set(key, s);
      this.order.push(s);
    }
    return s;
  }

  /** The series now (created if new, as a first `inc` would create it); its place in the output order is fixed then. */
  handle(name: string, labels: readonly string[]): SeriesHandle {
    return this.get(name, labels);
  }

  inc(name: string, labels: readonly string[], by = 1): void {
    this.incAt(this.get(name, labels), by);
  }

  incAt(s: SeriesHandle, by = 1): void {
    s.value += by;
    s.dirty = true;
  }

  set(name: string, labels: readonly string[], value: number): void {
    const s = this.get(name, labels);
    s.value = value;
    s.dirty = true;
  }

  observe(name: string, labels: readonly string[], value: number): void {
    this.observeAt(this.get(name, labels), value);
  }

  observeAt(s: SeriesHandle, value: number): void {
    const b = s.def.buckets!;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.buckets![i]! += 1;
    s.sum += value;
    s.value += 1;
    s.dirty = true;
  }

  /** Current value of a counter or gauge (0 if never touched). */
  value(name: string, labels: readonly string[] = []): number {
    const key = labels.length ? `${name}\u0000${labels.join('\u0000')}` : name;
    return this.series.get(key)?.value ?? 0;
  }

  /** Every series' current (cumulative) value, for samples stamped with virtual time. */
  snapshot(): MetricUpdate[] {
    return this.order.map((s) =>
      s.def.type === 'histogram'
        ? { name: s.def.name, labels: s.labels, value: s.value, buckets: Array.from(s.buckets!), sum: s.sum }
        : { name: s.def.name, labels: s.labels, value: s.value },
    );
  }

  /** The cumulative values of the series `keep` selects by their labels (checkpoints). */
  exportSeries(keep: (def: MetricDef, labels: readonly string[]) => boolean): MetricUpdate[] {
    return this.snapshot().filter((u) => keep(this.defs.get(u.name)!, u.labels));
  }

  /** Resume: set series to saved values; the next flush hands them to the main thread's fresh registry. */
  importSeries(saved: readonly MetricUpdate[]): void {
    for (const u of saved) {
      const s = this.getByKey(u.name, u.labels);
      s.value = u.value;
      if (s.buckets) {
        if (!u.buckets || u.buckets.length !== s.buckets.length) throw new Error(`metric ${u.name}: ${u.buckets?.length ?? 0} buckets saved, ${s.buckets.length} defined`);
        s.buckets.set(u.buckets);
        s.sum = u.sum ?? 0;
      }
      s.dirty = true;
    }
  }

  /** The series changed since the previous flush, with their current values. */
  flush(): MetricUpdate[] {
    const out: MetricUpdate[] = [];
    for (const s of this.order) {
      if (!s.dirty) continue;
      s.dirty = false;
      out.push(
        s.def.type === 'histogram'
          ? { name: s.def.name, labels: s.labels, value: s.value, buckets: Array.from(s.buckets!), sum: s.sum }
          : { name: s.def.name, labels: s.labels, value: s.value },
      );
    }
    return out;
  }
}
