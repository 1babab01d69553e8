// The overview's $host variable offers every host its panels filter on. On the
// network soak the TCP series belong to the sender (host="stressor"), which
// vioemu_domain_cpu_seconds_total never has: the variable offered only "sut",
// and picking it emptied the TCP panel, with no way to pick the sender.
// Backfilled net-soak (one short run), promtool, a real Prometheus on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { prometheusBin, promtoolBin, serveBackfill, type ServedBackfill } from '../helpers/backfilledPrometheus.ts';

const EPOCH = 1_700_000_000;
const SECONDS = 6;
const promtool = promtoolBin;
const promBin = prometheusBin;
if (!promtool || !promBin) console.warn('SKIP overview $host variable: needs `promtool` and `prometheus` on PATH');

interface Panel {
  title: string;
  targets: { refId: string; expr: string }[];
}

describe.skipIf(!promtool || !promBin)('overview dashboard: $host offers the hosts of every panel (net soak backfill)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vioemu-hostvar-'));
  let served: ServedBackfill | undefined;
  const get = async (path: string) => (await (await fetch(`${served!.url}${path}`)).json()) as { status: string; error?: string; data: unknown };

  beforeAll(async () => {
    const file = join(dir, 'net.om');
    const r = await runCli(['run', 'scenarios/soak/net-soak.yaml', '--duration', `${SECONDS}s`, '--openmetrics', file, '--openmetrics-interval', '1s']);
    expect(r.code, r.stderr).toBe(0);
    served = await serveBackfill(file, dir);
  }, 90_000);

  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every panel filtered by $host has data for one of the values $host offers', async () => {
    const d = JSON.parse(readFileSync('grafana/dashboards/vioemu-overview.json', 'utf8')) as { panels: Panel[]; templating: { list: { name: string; query: { query: string } }[] } };
    const sel = /^label_values\((.+), *host\)$/.exec(d.templating.list.find((v) => v.name === 'host')!.query.query)![1]!;
    const vals = await get(`/api/v1/label/host/values?match[]=${encodeURIComponent(sel)}&start=${EPOCH}&end=${EPOCH + SECONDS}`);
    const hosts = vals.data as string[];
    expect(hosts).toContain('sut');
    const empty: string[] = [];
    for (const p of d.panels) {
      for (const t of p.targets.filter((x) => x.expr.includes('$host'))) {
        let found = false;
        for (const h of hosts) {
          const expr = t.expr.replace(/\$__rate_interval/g, '4s').replace(/\$host/g, h).replace(/\$domain/g, '.*');
          const r = await get(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${EPOCH + SECONDS}`);
          expect(r.status, `${p.title}: ${r.error}`).toBe('success');
          if ((r.data as { result: unknown[] }).result.length) found = true;
        }
        if (!found) empty.push(`${p.title} [${t.refId}] (offered: ${hosts.join(', ')})`);
      }
    }
    expect(empty).toEqual([]);
  });
});
