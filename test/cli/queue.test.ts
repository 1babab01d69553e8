// `vioemu sweep --queue` with `vioemu worker` processes through the real
// redis-server on 127.0.0.1 (no persistence): results equal the local sweep's
// after stripping wall-clock fields; a crashed point and Ctrl-C read as they
// do locally; bad URLs and unreachable servers exit 2. Failures of the server
// and the workers: queueFailures.test.ts.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { freePort } from '../bench/localNet.ts';
import { FIG12, json, LONG, redisBin, RING, startRedis, startWorker, until, type RedisServer, type WorkerProc } from '../helpers/queueServers.ts';

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
