// An OpenMetrics export backfilled with promtool into a TSDB that a real Prometheus serves on 127.0.0.1
// (no scrape targets): for tests that evaluate dashboard queries on a finished run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../bench/localNet.ts';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
export const promtoolBin = has('promtool');
export const prometheusBin = has('prometheus');

export interface ServedBackfill {
  url: string;
  stop(): Promise<void>;
}

/** Backfill `openMetricsFile` into `dir`/tsdb and serve it; throws with promtool's message if the backfill fails. */
export async function serveBackfill(openMetricsFile: string, dir: string): Promise<ServedBackfill> {
  const db = join(dir, 'tsdb');
  const c = spawnSync(promtoolBin, ['tsdb', 'create-blocks-from', 'openmetrics', openMetricsFile, db], { encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`promtool: ${c.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'empty.yml'), 'scrape_configs: []\n');
  // Blocks stamped in 2023 are older than the default 15 d retention: keep them.
  const prom: ChildProcess = spawn(prometheusBin, [`--storage.tsdb.path=${db}`, '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`, `--config.file=${join(dir, 'empty.yml')}`], { stdio: 'ignore' });
  for (let i = 0; i < 150 && !(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  return {
    url,
    async stop() {
      if (prom.exitCode !== null) return;
      const gone = new Promise((r) => prom.once('exit', r));
      prom.kill('SIGKILL');
      await gone;
    },
  };
}
