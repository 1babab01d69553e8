// Dashboard queries with Grafana's variables substituted, for the PromQL tests.
import { readdirSync, readFileSync } from 'node:fs';

const DIR = 'grafana/dashboards';

export function substitute(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '10s')
    .replace(/\$__interval/g, '2s')
    .replace(/\$__range/g, '1m')
    .replace(/\$rack/g, '.*')
    .replace(/\$switch/g, '.*')
    .replace(/\$host/g, '.*')
    .replace(/\$domain/g, '.*');
}

export function dashboardQueries(): { file: string; panel: string; expr: string }[] {
  const out: { file: string; panel: string; expr: string }[] = [];
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    for (const p of d.panels) for (const t of p.targets ?? []) out.push({ file: f, panel: p.title, expr: t.expr });
  }
  return out;
}

