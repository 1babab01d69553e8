// A real redis-server on 127.0.0.1 (no persistence) and `vioemu worker` processes, for the sweep --queue tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { BIN, REPO, stripWall, type CliResult } from './cli.ts';
import { freePort, until as waitUntil } from '../bench/localNet.ts';

export const redisBin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
if (!redisBin) console.warn('SKIP sweep --queue tests with Redis: no `redis-server` on PATH (Debian: apt-get install redis-server)');

export const RING = ['scenarios/kernel/ring.yaml', '--set', 'sweep={ring.hosts: [2, 3, 4]}', '--duration', '40ms', '--json'];
// Points long enough (~0.5 s of wall each) that on a loaded machine one worker cannot finish the first and take
// the second before the other worker, blocked on the queue, wakes for it.
export const FIG12 = ['scenarios/paper/fig12-txqueuelen.yaml', '--set', 'sweep={net.netback.txqueuelen: [32, 512]}', '--set', 'duration=1500ms', '--set', 'warmup=300ms', '--json'];
export const LONG = ['scenarios/kernel/ring.yaml', '--set', 'sweep={ring.hosts: [2, 3]}', '--duration', '1h', '--set', 'ring.actorKind=plain', '--json'];

export interface RedisServer {
  port: number;
  url: string;
  client: Redis;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedis(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const proc = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await until('redis-server to listen', async () => {
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        client.disconnect();
        return false;
      }
    }, 10_000);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client,
    proc,
    async stop() {
      client.disconnect();
      if (proc.exitCode === null) {
        proc.kill('SIGCONT'); // a test may have frozen it
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
    },
  };
}

export interface WorkerProc {
  proc: ChildProcess;
  log: () => string;
  stop(): Promise<number | null>;
}

export function startWorker(url: string, workers = 1, env: Record<string, string> = {}): WorkerProc {
  const proc = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--workers', String(workers)], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** The queue's waits: a minute by default, polled every 100 ms. */
export const until = (what: string, f: () => boolean | Promise<boolean>, timeoutMs = 60_000) => waitUntil(what, f, timeoutMs, 100);

export const json = (r: CliResult) => stripWall(JSON.parse(r.stdout));
