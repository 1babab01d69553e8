// Dashboard PromQL uses each metric as its type allows: rate()/increase() on
// counters and histogram series only, deriv() on gauges only (rate() of a
// gauge such as vioemu_virtual_time_seconds is wrong), Grafana's interval
// variables for every range, and per-run matching when dividing by the
// virtual clock. The catalogue documents every metric of every model.
import { readdirSync, readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { metricDefsFor } from '../../src/run/execute.ts';
import type { MetricDef } from '../../src/kernel/metricSink.ts';
import { parse as parseYaml } from 'yaml';
import { dashboardQueries, substitute } from '../helpers/dashboards.ts';

const defs = new Map<string, MetricDef>();
for (const model of Object.keys(MODEL_MODULES)) for (const d of metricDefsFor(model)) defs.set(d.name, d);

/** The type a sample name belongs to: a histogram's _bucket/_sum/_count are counter-like. */
function kindOf(sample: string): 'counter' | 'gauge' | 'histogram' | undefined {
  const d = defs.get(sample);
  if (d) return d.type;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  return defs.get(base)?.type === 'histogram' ? 'histogram' : undefined;
}

const COUNTER_FUNCS = new Set(['rate', 'irate', 'increase', 'resets']);
const GAUGE_FUNCS = new Set(['deriv', 'delta', 'idelta', 'predict_linear']);

/** [function, metric] for every function applied directly to a range selector. */
function rangeCalls(expr: string): [string, string][] {
  const out: [string, string][] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.name !== 'FunctionCall') continue;
    const call = cursor.node;
    const fn = call.getChild('FunctionIdentifier');
    const sel = call.getChild('FunctionCallBody')?.getChild('MatrixSelector')?.getChild('VectorSelector')?.getChild('Identifier');
    if (fn && sel) out.push([expr.slice(fn.from, fn.to), expr.slice(sel.from, sel.to)]);
  } while (cursor.next());
  return out;
}

describe('dashboard queries use metrics as their types allow', () => {
  const qs = dashboardQueries();

  it('knows every metric the dashboards name', () => {
    for (const q of qs) for (const m of q.expr.match(/vioemu_[a-z0-9_]+/g) ?? []) expect(kindOf(m), `${q.panel}: ${m}`).toBeDefined();
  });

  it('rate() only on counters and histogram series, deriv() only on gauges', () => {
    let calls = 0;
    for (const q of qs) {
      for (const [fn, metric] of rangeCalls(substitute(q.expr))) {
        calls++;
        if (COUNTER_FUNCS.has(fn)) expect(kindOf(metric), `${q.file} / ${q.panel}: ${fn}(${metric})`).not.toBe('gauge');
        if (GAUGE_FUNCS.has(fn)) expect(kindOf(metric), `${q.file} / ${q.panel}: ${fn}(${metric})`).toBe('gauge');
      }
    }
    expect(calls).toBeGreaterThan(15);
    // The check can fail.
    expect(rangeCalls('rate(vioemu_virtual_time_seconds[1m])')).toEqual([['rate', 'vioemu_virtual_time_seconds']]);
    expect(kindOf('vioemu_virtual_time_seconds')).toBe('gauge');
  });

  it('every range is a Grafana interval variable', () => {
    for (const q of qs) for (const [, r] of q.expr.matchAll(/\[([^\]]*)\]/g)) expect(['$__rate_interval', '$__interval', '$__range'], `${q.panel}: [${r}]`).toContain(r);
  });

  it('divisions by the virtual clock match per scrape target and sweep point (several runs in one Prometheus)', () => {
    let n = 0;
    for (const q of qs) {
      if (!/deriv\(vioemu_virtual_time_seconds/.test(q.expr) || !/group_left/.test(q.expr)) continue;
      n++;
      expect(q.expr, q.panel).toMatch(/on\(job, instance, point\) group_left\(\)/);
      for (const [, by] of q.expr.matchAll(/sum by \(([^)]*)\)/g)) expect(by, q.panel).toMatch(/^job, instance, point\b/);
    }
    expect(n).toBeGreaterThan(10);
  });

  it("every series a panel draws keeps its sweep point apart: aggregations keep the point label, legends show it", () => {
    for (const q of qs) for (const [, by] of q.expr.matchAll(/(?:sum|max|min|avg) by \(([^)]*)\)/g)) if (/\bjob\b/.test(by!)) expect(by, `${q.file} / ${q.panel}`).toMatch(/\bpoint\b/);
    // Every aggregation, topk and count too, groups by run and point: a bare topk(10, …) picked ten series out of
    // all runs and points together (a 2-point fleet sweep beside a single fleet run: the single run kept 2 of its
    // 4 hosts). The heatmap is the one exception (one distribution over all it selects: docs/metrics.md).
    const heatmaps = new Set<string>();
    for (const f of readdirSync('grafana/dashboards').filter((x) => x.endsWith('.json'))) {
      const d = JSON.parse(readFileSync(`grafana/dashboards/${f}`, 'utf8')) as { panels: { type: string; title: string }[] };
      for (const p of d.panels) if (p.type === 'heatmap') heatmaps.add(`${f} / ${p.title}`);
    }
    const AGG = /\b(sum|max|min|avg|count|group|topk|bottomk|quantile|stddev|stdvar|count_values)\b\s*(by\s*\(([^)]*)\)|without\s*\([^)]*\))?\s*\(/g;
    let aggs = 0;
    for (const q of dashboardQueries()) {
      const where = `${q.file} / ${q.panel}`;
      if (heatmaps.has(where)) continue;
      for (const m of q.expr.matchAll(AGG)) {
        aggs++;
        expect(m[3] ?? `${m[1]} without a by`, `${where}: ${q.expr}`).toMatch(/^job, instance, point\b/);
      }
    }
    expect(aggs).toBeGreaterThan(30);
    for (const f of readdirSync('grafana/dashboards').filter((x) => x.endsWith('.json'))) {
      const d = JSON.parse(readFileSync(`grafana/dashboards/${f}`, 'utf8')) as { panels: { type: string; title: string; targets: { legendFormat?: string }[] }[] };
      for (const p of d.panels) if (p.type !== 'heatmap') for (const t of p.targets) expect(t.legendFormat ?? '', `${f} / ${p.title}`).toContain('{{point}}');
    }
  });
});

describe('dashboard template variables', () => {
  const uid = (parseYaml(readFileSync('grafana/provisioning/datasources/prometheus.yaml', 'utf8')) as { datasources: { uid: string }[] }).datasources[0]!.uid;
  const files = readdirSync('grafana/dashboards').filter((f) => f.endsWith('.json'));
  it.each(files)('%s: label_values over a parsable selector, on the provisioned datasource', (f) => {
    const d = JSON.parse(readFileSync(`grafana/dashboards/${f}`, 'utf8')) as { templating: { list: { name: string; datasource: { uid: string }; query: { query: string } }[] } };
    for (const v of d.templating.list) {
      expect(v.datasource.uid, v.name).toBe(uid);
      const m = /^label_values\((.+), *([a-z_]+)\)$/.exec(v.query.query);
      expect(m, v.query.query).not.toBeNull();
      // A variable reads the label of its name; `switch` reads the switch series' host label (tor0, agg).
      expect(m![2]).toBe(v.name === 'switch' ? 'host' : v.name);
      let bad = false;
      parser.parse(substitute(m![1]!)).iterate({ enter: (n) => void (n.type.isError && (bad = true)) });
      expect(bad, m![1]).toBe(false);
    }
  });
});

describe('docs/metrics.md', () => {
  const doc = readFileSync('docs/metrics.md', 'utf8');
  it.each([...defs.values()].map((d) => [d.name, d] as const))('documents %s with its type and labels', (name, d) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row, `no table row for ${name}`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toBe(d.type);
    const labels = d.labelNames.length ? d.labelNames.map((l) => `\`${l}\``).join(', ') : '—';
    expect(cells[3]).toBe(labels);
  });
});

describe('fleet dashboard: $rack filters every host panel', () => {
  // A host series filtered by $host but not by $rack ignores the rack chosen while $host is All
  // ($host's allValue is .*): "Top 10 hosts by Dom0 utilization" then listed every rack's hosts.
  it('every selector that filters host=~"$host" also filters rack=~"$rack"', () => {
    let n = 0;
    for (const q of dashboardQueries().filter((x) => x.file === 'vioemu-fleet.json')) {
      for (const [sel] of q.expr.matchAll(/vioemu_[a-z0-9_]+\{[^}]*\}/g)) {
        if (!sel.includes('host=~"$host"')) continue;
        n++;
        expect(sel, `${q.panel}: ${sel}`).toContain('rack=~"$rack"');
      }
    }
    expect(n).toBeGreaterThan(5);
  });
});

describe('fleet dashboard: $switch filters every switch panel', () => {
  // The switch panels had no variable at all: with a rack chosen they still showed every ToR and the
  // aggregation switch, dozens of ports at dc-1024.
  it('every vioemu_switch_ selector filters host=~"$switch"', () => {
    let n = 0;
    for (const q of dashboardQueries().filter((x) => x.file === 'vioemu-fleet.json')) {
      for (const [sel] of q.expr.matchAll(/vioemu_switch_[a-z0-9_]+(\{[^}]*\})?/g)) {
        n++;
        expect(sel, `${q.panel}: ${sel}`).toContain('host=~"$switch"');
      }
    }
    expect(n).toBeGreaterThanOrEqual(4);
  });
});
