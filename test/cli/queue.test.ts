// `vioemu sweep --queue` with `vioemu worker` processes through the real
// redis-server on 127.0.0.1 (no persistence): results equal the local sweep's
// after stripping wall-clock fields; a crashed point, a failed job and Ctrl-C
// read as they do locally; a worker waits for a server that is not up yet; a
// worker killed mid-point costs nothing but time; a server that goes away
// mid-run ends the sweep with what it gathered, never a hang.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCli, stripWall, type CliResult } from '../helpers/cli.ts';
import { freePort, until as waitUntil } from '../bench/localNet.ts';

const redisBin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
if (!redisBin) console.warn('SKIP sweep --queue tests with Redis: no `redis-server` on PATH (Debian: apt-get install redis-server)');

const RING = ['scenarios/kernel/ring.yaml', '--set', 'sweep={ring.hosts: [2, 3, 4]}', '--duration', '40ms', '--json'];
// Points long enough (~0.5 s of wall each) that on a loaded machine one worker cannot finish the first and take
// the second before the other worker, blocked on the queue, wakes for it.
const FIG12 = ['scenarios/paper/fig12-txqueuelen.yaml', '--set', 'sweep={net.netback.txqueuelen: [32, 512]}', '--set', 'duration=1500ms', '--set', 'warmup=300ms', '--json'];
const LONG = ['scenarios/kernel/ring.yaml', '--set', 'sweep={ring.hosts: [2, 3]}', '--duration', '1h', '--set', 'ring.actorKind=plain', '--json'];

interface RedisServer {
  port: number;
  url: string;
  client: Redis;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function startRedis(port?: number): Promise<RedisServer> {
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

interface WorkerProc {
  proc: ChildProcess;
  log: () => string;
  stop(): Promise<number | null>;
}

function startWorker(url: string, workers = 1, env: Record<string, string> = {}): WorkerProc {
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
const until = (what: string, f: () => boolean | Promise<boolean>, timeoutMs = 60_000) => waitUntil(what, f, timeoutMs, 100);

const json = (r: CliResult) => stripWall(JSON.parse(r.stdout));

describe('bad --queue', () => {
  it.each([
    ['sweep', 'http://127.0.0.1:6379', /^vioemu: --queue: unsupported scheme "http"/],
    ['sweep', 'redis://127.0.0.1:99999', /^vioemu: --queue: port out of range/],
    ['worker', 'redis:/nohost', /^vioemu: --queue: no host/],
    ['sweep', 'redis://nosuchhost.invalid:6379', /^vioemu: --queue redis:\/\/nosuchhost\.invalid:6379: cannot connect \((ENOTFOUND: unknown host|EAI_AGAIN)\)/],
  ])('%s --queue %s exits 2 with one line', async (cmd, url, line) => {
    const args = cmd === 'sweep' ? ['sweep', ...RING, '--queue', url] : ['worker', '--queue', url];
    const r = await runCli(args, { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a sweep whose server cannot be reached exits 2 before queueing anything', async () => {
    const port = await freePort();
    const r = await runCli(['sweep', ...RING, '--queue', `redis://127.0.0.1:${port}`], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`vioemu: --queue redis://127.0.0.1:${port}: cannot connect (ECONNREFUSED)`);
  });

  it('a server that takes the connection and never answers (not Redis, or hung) exits 2 too, not a hang', async () => {
    const silent = createServer(() => {}); // accepts, reads nothing, answers nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const r = await runCli(['sweep', ...RING, '--queue', `redis://127.0.0.1:${port}`], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`vioemu: --queue redis://127.0.0.1:${port}: cannot connect (no answer within 5 s: not a Redis server, or a hung one)`);
    } finally {
      silent.close();
    }
  });

  it('flags that need the run on this machine are refused with --queue', async () => {
    const r = await runCli(['sweep', ...RING, '--queue', 'redis://127.0.0.1:1', '--trace', '/tmp/never.json']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('vioemu: --trace: not available with --queue (the points run on the workers)');
    // --checkpoint was silently ignored: nothing was ever written.
    const c = await runCli(['run', 'scenarios/kernel/ring.yaml', '--queue', 'redis://127.0.0.1:1', '--checkpoint', '/tmp/never-ck']);
    expect(c.code).toBe(2);
    expect(c.stderr.trim()).toBe('vioemu: --checkpoint: not available with --queue (the points run on the workers)');
  });

  it.skipIf(!redisBin)('a database the server does not have exits 2 (it used to go on in database 0)', async () => {
    const redis = await startRedis();
    try {
      const r = await runCli(['sweep', ...RING, '--queue', `redis://127.0.0.1:${redis.port}/20`], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`vioemu: --queue redis://127.0.0.1:${redis.port}/20: cannot connect (ERR DB index is out of range)`);
    } finally {
      await redis.stop();
    }
  });

  it.skipIf(!redisBin)('a worker given a database the server does not have exits 2 too, instead of retrying for ever', async () => {
    const redis = await startRedis();
    try {
      const r = await runCli(['worker', '--queue', `redis://127.0.0.1:${redis.port}/20`, '--workers', '1'], { timeoutMs: 15_000 });
      expect(r.signal, r.stderr).toBe(null); // not killed by the timeout
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`vioemu: --queue redis://127.0.0.1:${redis.port}/20: cannot connect (ERR DB index is out of range)`);
    } finally {
      await redis.stop();
    }
  });
});

describe.skipIf(!redisBin)('sweep --queue with two worker processes', () => {
  let redis: RedisServer;
  let workers: WorkerProc[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    workers = [startWorker(redis.url), startWorker(redis.url)];
    await until('both workers to be ready', () => workers.every((w) => /ready on/.test(w.log())));
  });

  afterAll(async () => {
    const codes = await Promise.all(workers.map((w) => w.stop()));
    expect(codes).toEqual([143, 143]); // SIGTERM while idle: they leave at once
    await redis?.stop();
  });

  const vioemuKeys = () => redis.client.keys('vioemu:*');

  it.each([
    ['ring, 3 points', RING, false],
    ['fig12, 2 points at 1.5 s', FIG12, true],
  ])('%s: the same results as the local sweep, progress on stderr, nothing left in Redis', async (_name, args, both) => {
    const from = workers.map((w) => w.log().length);
    const [local, queued] = await Promise.all([runCli(['sweep', ...args]), runCli(['sweep', ...args, '--queue', redis.url])]);
    expect(local.code, local.stderr).toBe(0);
    expect(queued.code, queued.stderr).toBe(0);
    expect(json(queued)).toEqual(json(local));
    const n = (JSON.parse(local.stdout) as unknown[]).length;
    expect(queued.stderr).toMatch(new RegExp(`queued ${n} points as run-\\S+ on ${redis.url}`));
    expect(queued.stderr).toMatch(new RegExp(`\\[${n}/${n}\\] \\S+ done on \\S+:\\d+`));
    // Points of seconds: both workers took part (each runs one point at a time).
    if (both) expect(workers.every((w, i) => /: done/.test(w.log().slice(from[i])))).toBe(true);
    expect(await vioemuKeys()).toEqual([]);
  });

  it('a point that crashes carries its error as it does locally (exit 1)', async () => {
    const args = [...RING, '--set', 'ring.crashAt=10ms'];
    const [local, queued] = await Promise.all([runCli(['sweep', ...args]), runCli(['sweep', ...args, '--queue', redis.url])]);
    expect(local.code).toBe(1);
    expect(queued.code).toBe(1);
    expect(json(queued)).toEqual(json(local));
    expect(queued.stderr).toMatch(/run failed: Error: injected crash/);
  });

  it('Ctrl-C stops the running points, reports them, removes the run (exit 130)', async () => {
    const from = workers.map((w) => w.log().length);
    const r = await runCli(['sweep', ...LONG, '--queue', redis.url], {
      onSpawn: (kill, stderr) => {
        const poll = async () => {
          // Once both points run on the workers (one each: --workers 1) and have made progress.
          const started = workers.filter((w, i) => /ring\.hosts=\d: started/.test(w.log().slice(from[i]))).length;
          if (/queued 2 points/.test(stderr()) && started === 2) return setTimeout(() => kill('SIGINT'), 1500);
          setTimeout(poll, 100);
        };
        void poll();
      },
    });
    expect(r.code, r.stderr).toBe(130);
    const res = JSON.parse(r.stdout) as { point: string; interrupted: boolean; virtualSeconds: number; delivered: number }[];
    expect(res.map((x) => x.point)).toEqual(['ring.hosts=2', 'ring.hosts=3']);
    for (const x of res) {
      expect(x.interrupted).toBe(true);
      expect(x.virtualSeconds).toBeGreaterThan(0);
      expect(x.delivered).toBeGreaterThan(0);
    }
    expect(r.stderr).toMatch(/stopping the run/);
    await until('the workers to report the stop', () => workers.every((w, i) => /stopped; partial result delivered/.test(w.log().slice(from[i]))), 10_000);
    expect(await vioemuKeys()).toEqual([]);
  });
});

describe.skipIf(!redisBin)('queue failures', () => {
  let redis: RedisServer | undefined;
  let worker: WorkerProc | undefined;

  afterEach(async () => {
    await worker?.stop();
    await redis?.stop();
    worker = undefined;
    redis = undefined;
  });

  it('Ctrl-C before any worker took a point: the points read as a local sweep\'s that never ran (the model\'s fields, zeros)', async () => {
    redis = await startRedis();
    const [queued, local] = await Promise.all([
      runCli(['sweep', ...FIG12, '--queue', redis.url], {
        onSpawn: (kill, stderr) => {
          const poll = () => (/queued 2 points/.test(stderr()) ? kill('SIGINT') : void setTimeout(poll, 50));
          poll();
        },
      }),
      runCli(['sweep', ...FIG12]),
    ]);
    expect(queued.code, queued.stderr).toBe(130);
    expect(local.code, local.stderr).toBe(0);
    const q = JSON.parse(queued.stdout) as Record<string, unknown>[];
    const l = JSON.parse(local.stdout) as Record<string, unknown>[];
    expect(q.map((r) => Object.keys(r))).toEqual(l.map((r) => Object.keys(r)));
    for (const r of q) expect(r).toMatchObject({ interrupted: true, virtualSeconds: 0, events: 0, throughputGbps: 0 });
  });

  it('a job that fails as a job becomes a result carrying the error; the others run (exit 1)', async () => {
    redis = await startRedis();
    const args = ['sweep', ...RING];
    const queued = runCli([...args, '--queue', redis.url]);
    // Take point 0 by hand, as a worker would, and fail it.
    let queue = '';
    await until('the run to be registered', async () => ((queue = (await redis!.client.zrange('vioemu:runs', 0, '-1'))[0] ?? '') !== ''));
    const taker = new Worker(queue, null, { connection: redis.client, prefix: 'vioemu', autorun: false, name: 'test-taker' });
    let job: Job | undefined;
    await until('job p0', async () => (job = await taker.getNextJob('t0', { block: false })) !== undefined);
    expect(job!.id).toBe('p0');
    await job!.moveToFailed(new Error('injected failure'), 't0', false);
    await taker.close();
    worker = startWorker(redis.url);
    const [r, local] = await Promise.all([queued, runCli(args)]);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(res[0]).toMatchObject({ point: 'ring.hosts=2', interrupted: true, error: 'queue job failed on test-taker: injected failure', events: 0 });
    expect(stripWall(res.slice(1))).toEqual(stripWall(JSON.parse(local.stdout).slice(1)));
    expect(r.stderr).toMatch(/\[1\/3\] ring\.hosts=2 failed: injected failure/);
    expect(r.stderr).toMatch(/run failed: queue job failed on test-taker: injected failure/);
  });

  it('Ctrl-C while redis is unreachable writes what was gathered at once, without waiting out the stop grace (exit 130)', async () => {
    redis = await startRedis();
    let stoppedAt = 0;
    let signalledAt = 0;
    const r = await runCli(['sweep', ...RING, '--queue', redis.url], {
      timeoutMs: 60_000,
      onSpawn: (kill, stderr) => {
        const poll = () => {
          if (!stoppedAt && /queued 3 points/.test(stderr())) void redis!.stop().then(() => (stoppedAt = Date.now()));
          if (stoppedAt && /unreachable \(ECONNREFUSED\)/.test(stderr())) {
            signalledAt = Date.now();
            return kill('SIGINT');
          }
          setTimeout(poll, 50);
        };
        poll();
      },
    });
    expect(signalledAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(130);
    expect(Date.now() - signalledAt).toBeLessThan(5_000); // was 15 s: the 10 s stop grace and 5 s of clean-up against a dead server
    const res = JSON.parse(r.stdout) as { point: string; interrupted: boolean }[];
    expect(res.map((x) => [x.point, x.interrupted])).toEqual([['ring.hosts=2', true], ['ring.hosts=3', true], ['ring.hosts=4', true]]);
    expect(r.stderr).toMatch(/is unreachable, so the running points cannot be told; writing what was gathered/);
    redis = undefined;
  });

  it('a worker started before the server retries with backoff, one line, then serves a sweep', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    worker = startWorker(url);
    await until('the worker to report the unreachable server', () => /unreachable \(ECONNREFUSED\); retrying with backoff/.test(worker!.log()), 30_000);
    redis = await startRedis(port);
    await until('the worker to connect', () => /ready on/.test(worker!.log()), 30_000);
    const r = await runCli(['sweep', ...RING, '--queue', url]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
    expect(worker.log().match(/unreachable/g)).toHaveLength(1);
    expect(worker.log()).not.toMatch(/\n\s+at /); // no stack traces
  });
});

describe.skipIf(!redisBin)('queue failures mid-run', () => {
  let redis: RedisServer | undefined;
  let workers: WorkerProc[] = [];
  /** Short locks: a killed worker's job is back in the queue within seconds, not a minute. */
  const SHORT_LOCK = { VIOEMU_QUEUE_LOCK_DURATION: '2s' };

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    workers = [];
    redis = undefined;
  });

  /**
   * A redis-server and one worker with short locks; a sweep of a 40 ms and a 1 h point, and once the short
   * point is delivered and the long one runs on the worker, `act` on the server. `env` goes to the sweep
   * (runCli's child inherits process.env; this file's tests run one at a time).
   */
  async function sweepThenServer(act: () => void, env: Record<string, string>) {
    redis = await startRedis();
    workers = [startWorker(redis.url, 1, SHORT_LOCK)];
    await until('the worker to be ready', () => /ready on/.test(workers[0]!.log()));
    const base = ['sweep', 'scenarios/kernel/ring.yaml', '--set', 'ring.actorKind=plain', '--json'];
    const url = redis.url;
    const t0 = Date.now();
    let actedAt = 0;
    Object.assign(process.env, env);
    const running = runCli([...base, '--set', 'sweep={duration: [40ms, 1h]}', '--queue', url], {
      onSpawn: (_kill, stderr) => {
        const poll = () => {
          if (/\[1\/2\] duration=40ms done/.test(stderr()) && /started \(point 2 of 2\)/.test(workers[0]!.log())) {
            actedAt = Date.now();
            act();
            return;
          }
          if (Date.now() - t0 < 60_000) setTimeout(poll, 100);
        };
        poll();
      },
    });
    for (const k of Object.keys(env)) delete process.env[k];
    const r = await running;
    return { r, actedAt, url, base };
  }

  it('a worker SIGKILLed mid-point: the other takes its stalled job; the same results as the local sweep', async () => {
    redis = await startRedis();
    workers = [startWorker(redis.url, 1, SHORT_LOCK), startWorker(redis.url, 1, SHORT_LOCK)];
    await until('both workers to be ready', () => workers.every((w) => /ready on/.test(w.log())));
    // Two points of one to a few seconds each (on a busy machine): one per worker.
    const args = ['sweep', 'scenarios/kernel/ring.yaml', '--set', 'sweep={ring.hosts: [2, 3]}', '--duration', '15s', '--set', 'ring.actorKind=plain', '--json'];
    const queued = runCli([...args, '--queue', redis.url]);
    let victim = -1;
    await until('a worker to start a point', () => (victim = workers.findIndex((w) => /: started \(point/.test(w.log()))) >= 0, 30_000);
    workers[victim]!.proc.kill('SIGKILL');
    const local = runCli(args);
    const [q, l] = await Promise.all([queued, local]);
    expect(l.code, l.stderr).toBe(0);
    expect(q.code, q.stderr).toBe(0);
    expect(json(q)).toEqual(json(l));
    expect(workers[victim]!.proc.signalCode).toBe('SIGKILL');
    expect(workers[victim]!.log()).not.toMatch(/: done/);
    const survivor = workers[1 - victim]!.log();
    expect(survivor.match(/: done/g)).toHaveLength(2); // its own point and the killed worker's
    expect(survivor).toMatch(/started \(point 1 of 2\)/);
    expect(survivor).toMatch(/started \(point 2 of 2\)/);
    // The survivor's stalled check (every 2 s) may touch the run's queue after the sweep removed it; it cleans up when it lets the run go.
    await until('nothing left in Redis', async () => (await redis!.client.keys('vioemu:*')).length === 0, 5_000);
  });

  it('redis-server stopped mid-sweep: one line naming the server, what was gathered is written (exit 1); the worker drops its point and retries', async () => {
    let stopping: Promise<void> | undefined;
    const { r, actedAt: stoppedAt, url, base } = await sweepThenServer(() => void (stopping = redis!.stop()), { VIOEMU_QUEUE_GIVE_UP_AFTER: '3s' });
    await stopping;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(1);
    const res = JSON.parse(r.stdout) as Record<string, unknown>[];
    const local = await runCli([...base, '--set', 'sweep={duration: [40ms]}']);
    expect(stripWall(res[0])).toEqual(stripWall(JSON.parse(local.stdout)));
    const why = `${url} unreachable for \\d+ s \\((ECONNREFUSED|ECONNRESET)\\); the sweep gave up waiting`;
    expect(res[1]).toMatchObject({ point: 'duration=1h', interrupted: true, events: 0 });
    expect(res[1]!.error).toMatch(new RegExp(`^queue: ${why}$`));
    expect(r.stderr).toMatch(new RegExp(`^vioemu: ${why}: 1 of 2 results gathered, the other 1 reported as failed$`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^vioemu: run failed: queue: ${why}$`, 'm'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The worker: its lock lapses, so it stops the point and drops it; it keeps retrying, one line, and still stops on SIGTERM.
    const w = workers[0]!;
    await until('the worker to drop its point', () => /duration=1h: the run is gone .*result dropped/.test(w.log()), 15_000);
    expect(w.log()).toMatch(/duration=1h: lock not renewed for 2 s \(redis unreachable\); stopping the point/);
    expect(w.log().match(/unreachable \(ECONNREFUSED\); retrying with backoff/g)).toHaveLength(1);
    const t1 = Date.now();
    expect(await w.stop()).toBe(143);
    expect(Date.now() - t1).toBeLessThan(5_000);
    expect(w.log()).not.toMatch(/\n\s+at /);
  });

  it('redis-server frozen mid-sweep (SIGSTOP: the connection stays open, nothing answers): taken for unreachable, the sweep gives up with what it gathered (exit 1)', async () => {
    const { r, actedAt: frozenAt, url } = await sweepThenServer(() => void redis!.proc.kill('SIGSTOP'), { VIOEMU_QUEUE_GIVE_UP_AFTER: '3s', VIOEMU_QUEUE_NO_ANSWER_AFTER: '1s' });
    redis!.proc.kill('SIGCONT');
    expect(frozenAt).toBeGreaterThan(0);
    // 1 s unanswered, then 3 s unreachable: well before anyone would reach for Ctrl-C.
    expect(Date.now() - frozenAt).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^vioemu: ${url} not answering \\(no answer for 1 s\\); waiting$`, 'm'));
    const why = `${url} unreachable for \\d+ s \\(no answer for 1 s\\); the sweep gave up waiting`;
    const res = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(res[0]).toMatchObject({ point: 'duration=40ms', interrupted: false });
    expect(res[1]).toMatchObject({ point: 'duration=1h', interrupted: true, events: 0 });
    expect(res[1]!.error).toMatch(new RegExp(`^queue: ${why}$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
