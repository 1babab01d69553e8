// OpenMetrics text with sample timestamps in virtual time (epoch + virtual
// seconds), for `promtool tsdb create-blocks-from openmetrics`: a 1-hour
// virtual soak finished in minutes still shows as an hour of graphs.
// Families must be contiguous and each series' samples in time order, so
// values are kept (as plain numbers) until the end and written family by family.
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';
import { writeAll, writeFileAtomically } from '../run/atomicFile.ts';

/** Wall-clock series: left out so that an export is a function of scenario, seed and partitioning only. */
const WALL_SERIES = new Set(['vioemu_wall_time_seconds', 'vioemu_realtime_factor']);

interface SeriesValues {
  labels: string[];
  /** Index (k - 1) of the first sample, k = sample instant / interval. */
  first: number;
  /** Counter/gauge: one value per sample. Histogram: per sample the non-cumulative buckets (last = +Inf), sum, count. */
  values: number[];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(String(values[i]))}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** 12 significant digits, shortest form; OpenMetrics spellings of the non-finite values. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
}

/** The samples an export holds, as a checkpoint carries them. */
export interface OpenMetricsState {
  intervalNs: number;
  epochS: number;
  samples: number;
  series: { name: string; labels: string[]; first: number; values: number[] }[];
}

function unitOf(family: string): string | null {
  // The longest unit suffix: a byte·second integral is not in seconds.
  const m = /_(byte_seconds|seconds|bytes)$/.exec(family);
  return m ? m[1]! : null;
}

export class OpenMetricsWriter {
  private readonly defs = new Map<string, MetricDef>();
  /** name → label key → values */
  private readonly series = new Map<string, Map<string, SeriesValues>>();
  /** Per sample instant (k - 1): partitions reported so far and their events. */
  private readonly pending = new Map<number, { parts: number; events: number }>();
  /** Samples (instants) complete over all partitions. */
  samples = 0;

  constructor(
    defs: readonly MetricDef[],
    readonly epochS: number,
    readonly intervalNs: number,
  ) {
    if (!Number.isInteger(intervalNs) || intervalNs <= 0 || intervalNs % 1e6 !== 0) {
      throw new Error(`OpenMetrics interval must be a positive whole number of milliseconds, got ${intervalNs} ns`);
    }
    for (const d of defs) if (!WALL_SERIES.has(d.name)) this.defs.set(d.name, d);
  }

  /**
   * What to ask the workers for (ExecuteOptions.sampler.intervalNs): every
   * partition pauses at each whole interval, so a sample holds exactly the
   * events before its instant, whatever the partitioning.
   */
  get probeEveryNs(): number {
    return this.intervalNs;
  }

  /** The samples up to `uptoNs` (complete over all partitions), for a checkpoint. */
  state(uptoNs: number): OpenMetricsState {
    const kMax = Math.floor(uptoNs / this.intervalNs) - 1;
    const series: OpenMetricsState['series'] = [];
    for (const [name, m] of this.series) {
      const d = this.defs.get(name);
      const stride = d && d.type === 'histogram' ? (d.buckets?.length ?? 0) + 3 : 1;
      for (const s of m.values()) {
        if (s.first > kMax) continue;
        series.push({ name, labels: s.labels, first: s.first, values: s.values.slice(0, (kMax - s.first + 1) * stride) });
      }
    }
    return { intervalNs: this.intervalNs, epochS: this.epochS, samples: Math.min(this.samples, kMax + 1), series };
  }

  /** Continue from a checkpoint's samples. */
  load(st: OpenMetricsState): void {
    if (st.intervalNs !== this.intervalNs || st.epochS !== this.epochS) {
      throw new Error(`the checkpoint's OpenMetrics samples are every ${st.intervalNs} ns from epoch ${st.epochS}, not ${this.intervalNs} ns from ${this.epochS}`);
    }
    this.series.clear();
    this.pending.clear();
    for (const s of st.series) {
      let m = this.series.get(s.name);
      if (!m) this.series.set(s.name, (m = new Map()));
      m.set(s.labels.join('\u0000'), { labels: [...s.labels], first: s.first, values: [...s.values] });
    }
    this.samples = st.samples;
  }

  /** One partition's snapshot at virtual time tNs (a whole interval). */
  add(partition: number, partitions: number, tNs: number, series: readonly MetricUpdate[], events: number): void {
    void partition;
    if (tNs <= 0 || tNs % this.intervalNs !== 0) return;
    const k = tNs / this.intervalNs - 1;
    for (const s of series) this.push(s.name, s.labels, k, s);
    const p = this.pending.get(k) ?? { parts: 0, events: 0 };
    p.parts++;
    p.events += events;
    this.pending.set(k, p);
    if (p.parts === partitions) {
      this.pending.delete(k);
      this.push('vioemu_virtual_time_seconds', [], k, { name: '', labels: [], value: tNs / 1e9 });
      this.push('vioemu_events_total', [], k, { name: '', labels: [], value: p.events });
      this.samples++;
    }
  }

  private push(name: string, labels: readonly string[], k: number, u: MetricUpdate): void {
    const d = this.defs.get(name);
    if (!d) return;
    let m = this.series.get(name);
    if (!m) this.series.set(name, (m = new Map()));
    const key = labels.join('\u0000');
    let s = m.get(key);
    if (!s) m.set(key, (s = { labels: [...labels], first: k, values: [] }));
    const stride = d.type === 'histogram' ? (d.buckets?.length ?? 0) + 3 : 1;
    const row = d.type === 'histogram' ? [...Array.from({ length: stride - 2 }, (_, i) => u.buckets?.[i] ?? 0), u.sum ?? 0, u.value] : [u.value];
    if (k < s.first) return;
    // A gap (cannot happen with one partition per series) repeats the last values.
    while (s.first + s.values.length / stride < k) s.values.push(...s.values.slice(-stride));
    const at = (k - s.first) * stride;
    if (at >= s.values.length) {
      s.values.push(...row);
    } else {
      // The same series from another partition at the same instant: counters and histograms add up, gauges take the last.
      for (let i = 0; i < stride; i++) s.values[at + i] = d.type === 'gauge' ? row[i]! : s.values[at + i]! + row[i]!;
    }
  }

  private stamp(k: number): string {
    // Whole milliseconds (the interval is), so this is exact and reproducible.
    return ((this.epochS * 1000 + ((k + 1) * this.intervalNs) / 1e6) / 1000).toFixed(3);
  }

  /** The file's lines in order, a family at a time. */
  *lines(): Generator<string> {
    for (const name of [...this.series.keys()].sort()) {
      const d = this.defs.get(name)!;
      const family = d.type === 'counter' ? name.replace(/_total$/, '') : name;
      yield `# TYPE ${family} ${d.type}`;
      yield `# HELP ${family} ${d.help.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}`;
      const unit = unitOf(family);
      if (unit) yield `# UNIT ${family} ${unit}`;
      const all = [...this.series.get(name)!.values()].sort((a, b) => {
        const x = a.labels.join('\u0000');
        const y = b.labels.join('\u0000');
        return x < y ? -1 : x > y ? 1 : 0;
      });
      for (const s of all) {
        if (d.type === 'histogram') {
          // One MetricPoint per instant: its buckets (cumulative), count and sum together.
          const bounds = d.buckets ?? [];
          const nb = bounds.length + 1;
          const stride = nb + 2;
          const bucketLabels = [...bounds.map((le) => formatNumber(le)), '+Inf'].map((le) => labelText(d.labelNames, s.labels, ['le', le]));
          const plain = labelText(d.labelNames, s.labels);
          for (let j = 0; j * stride < s.values.length; j++) {
            const ts = this.stamp(s.first + j);
            const o = j * stride;
            let cum = 0;
            for (let i = 0; i < nb; i++) {
              cum += s.values[o + i]!;
              yield `${name}_bucket${bucketLabels[i]} ${formatNumber(cum)} ${ts}`;
            }
            yield `${name}_count${plain} ${formatNumber(s.values[o + nb + 1]!)} ${ts}`;
            yield `${name}_sum${plain} ${formatNumber(s.values[o + nb]!)} ${ts}`;
          }
        } else {
          const sampleName = (d.type === 'counter' ? `${family}_total` : name) + labelText(d.labelNames, s.labels);
          for (let j = 0; j < s.values.length; j++) yield `${sampleName} ${formatNumber(s.values[j]!)} ${this.stamp(s.first + j)}`;
        }
      }
    }
    yield '# EOF';
  }

  render(): string {
    return [...this.lines()].join('\n') + '\n';
  }

  /** Streams the file (no single huge string for long soaks), whole or not at all (writeFileAtomically). */
  write(file: string): void {
    writeFileAtomically(file, (fd) => {
      let buf = '';
      for (const line of this.lines()) {
        buf += line + '\n';
        if (buf.length >= 1 << 16) {
          writeAll(fd, buf);
          buf = '';
        }
      }
      writeAll(fd, buf);
    });
  }
}
