// OpenMetrics text with sample timestamps in virtual time (epoch + virtual
// seconds), for `promtool tsdb create-blocks-from openmetrics`: a 1-hour
// virtual soak finished in minutes still shows as an hour of graphs.
// Families must be contiguous and samples in time order, so samples are kept
// until the end and written family by family (memory: series × samples).
import { writeFileSync } from 'node:fs';
import type { MetricDef, MetricUpdate } from '../kernel/metricSink.ts';

interface Point {
  tS: number;
  value: number;
  buckets?: number[];
  sum?: number;
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${String(values[i]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(12).replace(/\.?0+$/, ''));

export class OpenMetricsWriter {
  private readonly defs = new Map<string, MetricDef>();
  /** name → label key → points */
  private readonly series = new Map<string, Map<string, { labels: string[]; points: Point[] }>>();
  private readonly pending = new Map<number, { parts: number; events: number }>();
  samples = 0;

  constructor(defs: readonly MetricDef[], readonly epochS: number) {
    for (const d of defs) this.defs.set(d.name, d);
  }

  /** One partition's snapshot at virtual time tNs; core series are added once all partitions reported. */
  add(partition: number, partitions: number, tNs: number, series: readonly MetricUpdate[], events: number): void {
    const tS = this.epochS + tNs / 1e9;
    for (const s of series) this.point(s.name, s.labels, { tS, value: s.value, buckets: s.buckets, sum: s.sum });
    const p = this.pending.get(tNs) ?? { parts: 0, events: 0 };
    p.parts++;
    p.events += events;
    this.pending.set(tNs, p);
    if (p.parts === partitions) {
      this.pending.delete(tNs);
      this.point('vioemu_virtual_time_seconds', [], { tS, value: tNs / 1e9 });
      this.point('vioemu_events_total', [], { tS, value: p.events });
      this.samples++;
    }
    void partition;
  }

  private point(name: string, labels: readonly string[], pt: Point): void {
    if (!this.defs.has(name)) return;
    let m = this.series.get(name);
    if (!m) this.series.set(name, (m = new Map()));
    const key = labels.join('\u0000');
    let s = m.get(key);
    if (!s) m.set(key, (s = { labels: [...labels], points: [] }));
    s.points.push(pt);
  }

  render(): string {
    const out: string[] = [];
    const names = [...this.series.keys()].sort();
    for (const name of names) {
      const d = this.defs.get(name)!;
      const family = d.type === 'counter' ? name.replace(/_total$/, '') : name;
      out.push(`# TYPE ${family} ${d.type}`);
      out.push(`# HELP ${family} ${d.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      if (family.endsWith('_seconds')) out.push(`# UNIT ${family} seconds`);
      else if (family.endsWith('_bytes')) out.push(`# UNIT ${family} bytes`);
      const all = [...this.series.get(name)!.values()].sort((a, b) => (a.labels.join() < b.labels.join() ? -1 : 1));
      for (const s of all) {
        const pts = [...s.points].sort((a, b) => a.tS - b.tS);
        if (d.type === 'histogram') {
          const bounds = d.buckets ?? [];
          bounds.forEach((le, i) => {
            for (const p of pts) {
              let cum = 0;
              for (let k = 0; k <= i; k++) cum += p.buckets?.[k] ?? 0;
              out.push(`${name}_bucket${labelText(d.labelNames, s.labels, ['le', num(le)])} ${num(cum)} ${p.tS.toFixed(3)}`);
            }
          });
          for (const p of pts) out.push(`${name}_bucket${labelText(d.labelNames, s.labels, ['le', '+Inf'])} ${num(p.value)} ${p.tS.toFixed(3)}`);
          for (const p of pts) out.push(`${name}_sum${labelText(d.labelNames, s.labels)} ${num(p.sum ?? 0)} ${p.tS.toFixed(3)}`);
          for (const p of pts) out.push(`${name}_count${labelText(d.labelNames, s.labels)} ${num(p.value)} ${p.tS.toFixed(3)}`);
        } else {
          const sampleName = d.type === 'counter' ? `${family}_total` : name;
          for (const p of pts) out.push(`${sampleName}${labelText(d.labelNames, s.labels)} ${num(p.value)} ${p.tS.toFixed(3)}`);
        }
      }
    }
    out.push('# EOF');
    return out.join('\n') + '\n';
  }

  write(file: string): void {
    writeFileSync(file, this.render());
  }
}
