// End to end with the real Prometheus on 127.0.0.1: scrape a running soak,
// then run every PromQL query of every dashboard panel and expect data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/cli.ts';
import { dashboardQueries, substitute } from '../helpers/dashboards.ts';

const promBin = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
if (!promBin) console.warn('SKIP prometheus integration: no `prometheus` binary on PATH (Debian: apt-get install prometheus; .ci/run installs it)');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!promBin)('Prometheus scrapes a soak and answers every dashboard query', () => {
  let vio: ChildProcess;
  let prom: ChildProcess;
  let promUrl = '';
  let evalAt = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-prom-'));
    const metricsPort = await freePort();
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vioemu\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`);
    prom = spawn(promBin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(200);
    }
    let stderr = '';
    vio = spawn(process.execPath, [BIN, 'run', 'scenarios/soak/net-soak.yaml', '--metrics-port', String(metricsPort), '--pace', '3', '--duration', '45s', '--metrics-linger', '60'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    vio.stderr!.on('data', (d) => (stderr += d));
    // Let the run go on (paced: ~15 s of wall time) while Prometheus scrapes every second.
    for (let i = 0; i < 300 && !/serving final metrics/.test(stderr); i++) await sleep(200);
    expect(stderr).toMatch(/serving final metrics/);
    evalAt = Date.now() / 1000 - 3; // inside the run, where rates are defined
    await sleep(2500);
  }, 120_000);

  afterAll(() => {
    vio?.kill('SIGKILL');
    prom?.kill('SIGKILL');
  });

  it('every panel query returns data', async () => {
    const empty: string[] = [];
    const qs = dashboardQueries();
    for (const q of qs) {
      const url = `${promUrl}/api/v1/query?query=${encodeURIComponent(substitute(q.expr))}&time=${evalAt}`;
      const body = (await (await fetch(url)).json()) as { status: string; data: { result: unknown[] }; error?: string };
      expect(body.status, `${q.panel}: ${body.error}`).toBe('success');
      if (body.data.result.length === 0) empty.push(`${q.file} / ${q.panel}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
    expect(qs.length).toBeGreaterThan(15);
  }, 60_000);

  it('virtual time grew across scrapes', async () => {
    const url = `${promUrl}/api/v1/query?query=${encodeURIComponent('max_over_time(vioemu_virtual_time_seconds[30s]) - min_over_time(vioemu_virtual_time_seconds[30s])')}&time=${evalAt}`;
    const body = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
    expect(Number(body.data.result[0]!.value[1])).toBeGreaterThan(5);
  });
});
