// Dashboards: valid JSON, unique panel ids and refIds, the provisioned
// datasource uid everywhere, PromQL that parses, metrics from the catalogue.
import { readdirSync, readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dashboardQueries, substitute } from '../helpers/dashboards.ts';

const DIR = 'grafana/dashboards';
const ds = parseYaml(readFileSync('grafana/provisioning/datasources/prometheus.yaml', 'utf8')) as { datasources: { uid: string }[] };
const UID = ds.datasources[0]!.uid;

function hasError(expr: string): boolean {
  const tree = parser.parse(expr);
  let bad = false;
  tree.iterate({ enter: (n) => void (n.type.isError && (bad = true)) });
  return bad;
}

describe('Grafana dashboards', () => {
  const files = readdirSync(DIR).filter((x) => x.endsWith('.json'));

  it('has the overview, scheduler and fleet dashboards', () => {
    expect(files.sort()).toEqual(['vioemu-fleet.json', 'vioemu-overview.json', 'vioemu-scheduler.json']);
  });

  it.each(files)('%s: unique ids and refIds, the provisioned datasource, host/domain (fleet: rack/host) variables', (f) => {
    const d = JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    const ids = d.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.datasource.uid, p.title).toBe(UID);
      const refs = p.targets.map((t: { refId: string }) => t.refId);
      expect(new Set(refs).size).toBe(refs.length);
      for (const t of p.targets) expect(t.datasource.uid).toBe(UID);
    }
    expect(d.templating.list.map((v: { name: string }) => v.name)).toEqual(f === 'vioemu-fleet.json' ? ['rack', 'host', 'switch'] : ['host', 'domain']);
  });

  it('every query parses as PromQL (after variable substitution) and names catalogued metrics', () => {
    const catalogue = readFileSync('docs/metrics.md', 'utf8');
    const qs = dashboardQueries();
    expect(qs.length).toBeGreaterThan(15);
    for (const q of qs) {
      expect(hasError(substitute(q.expr)), `${q.file} / ${q.panel}: ${q.expr}`).toBe(false);
      for (const m of q.expr.match(/vioemu_[a-z0-9_]+/g) ?? []) expect(catalogue).toContain(m.replace(/_bucket$/, ''));
    }
    expect(hasError('rate(vioemu_x[1m]')).toBe(true); // the check can fail
  });
});

describe('heatmap panels over Prometheus histograms', () => {
  // Grafana turns cumulative _bucket series (le = "≤ bound") into per-bucket counts, sorted by le,
  // only with the target's format "heatmap"; without it every row above the mode showed all DomUs.
  const files = readdirSync(DIR).filter((x) => x.endsWith('.json'));
  it.each(files)('%s: every heatmap target on _bucket series is formatted as a heatmap', (f) => {
    const d = JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    for (const p of d.panels.filter((x: { type: string }) => x.type === 'heatmap'))
      for (const t of p.targets) if (/_bucket\b/.test(t.expr)) expect(t.format, `${f} / ${p.title}`).toBe('heatmap');
  });
});
