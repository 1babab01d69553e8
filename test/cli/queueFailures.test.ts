// `vioemu sweep --queue` when things fail, through the real redis-server on
// 127.0.0.1: a failed job reads as it does locally; a worker waits for a
// server that is not up yet; a worker killed mid-point costs nothing but
// time; a server that goes away mid-run ends the sweep with what it gathered,
// never a hang.
import { Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../helpers/cli.ts';
import { freePort } from '../bench/localNet.ts';
import { FIG12, json, LONG, redisBin, RING, startRedis, startWorker, until, type RedisServer, type WorkerProc } from '../helpers/queueServers.ts';

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

  it('a point whose worker is killed twice fails as a job (it used to run again on every next worker, for ever)', async () => {
    redis = await startRedis();
    let killSweep: (sig: NodeJS.Signals) => void = () => {};
    const queued = runCli(['sweep', ...LONG, '--set', 'sweep={ring.hosts: [2]}', '--queue', redis.url], { timeoutMs: 90_000, onSpawn: (kill) => (killSweep = kill) });
    // Two workers, one after the other, each killed while running the point (as an out-of-memory kill would).
    for (let k = 0; k < 2; k++) {
      const w = startWorker(redis.url, 1, SHORT_LOCK);
      workers.push(w);
      await until(`worker ${k + 1} to start the point`, () => /: started \(point 1 of 1\)/.test(w.log()), 30_000);
      w.proc.kill('SIGKILL');
    }
    const third = startWorker(redis.url, 1, SHORT_LOCK);
    workers.push(third);
    await until('the third worker to fail or start the point', () => /ring\.hosts=2: (failed|started)/.test(third.log()), 30_000);
    if (/started \(point 1 of 1\)/.test(third.log())) {
      // The bug: the 1 h point runs once more. End it here rather than wait for it.
      third.proc.kill('SIGKILL');
      killSweep('SIGKILL');
    }
    expect(third.log()).not.toMatch(/started \(point 1 of 1\)/);
    expect(third.log()).toMatch(/ring\.hosts=2: failed: job stalled more than allowable limit: the worker running it was lost 2 times/);
    const q = await queued;
    expect(q.code, q.stderr).toBe(1);
    const res = JSON.parse(q.stdout); // a sweep of one point: one result, as locally
    expect(res.interrupted).toBe(true);
    expect(res.error).toMatch(/^queue job failed on \S+: job stalled more than allowable limit: the worker running it was lost 2 times/);
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
