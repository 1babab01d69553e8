// `vioemu worker --queue redis://…`: takes sweep points from every live run's
// queue (oldest run first) and runs each with the local code path
// (Execution.runPoint on a partition pool, one partition per point, as the
// local sweep does), N at a time. Jobs are fetched by hand (BullMQ's manual
// mode) so that N holds across all runs; the lock of each running job is
// renewed every 2 s, which also tells when the run was stopped (Ctrl-C in the
// sweep: stop at the next window and report) or removed (drop the point). A
// lock that could not be renewed for its whole duration (Redis unreachable)
// is gone: the point stops and its result is dropped (the job runs again
// elsewhere, or the run is gone).
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createPartitionPool, Execution } from '../run/execute.ts';
import type { PartitionPool } from '../kernel/runner.ts';
import { MODELS } from '../scenario/registry.ts';
import { drop, RedisLink, reason, type RedisTarget } from './connection.ts';
import {
  aliveKey, codeId, decodePoint, encodeResult, FORMAT, PREFIX, REGISTRY_KEY, stopKey, workerName,
  type PointJob, type PointReturn,
} from './protocol.ts';

export interface QueueWorkerOptions {
  target: RedisTarget;
  concurrency: number;
  /** One line on stderr. */
  say: (line: string) => void;
  /** A job's lock lasts this long without renewal, and the stalled check runs this often (ms); default 30 s. */
  lockMs?: number;
}

/** A job holds its lock this long without renewal; after that another worker's stalled check puts it back. */
export const LOCK_MS = 30_000;
const RENEW_MS = 2_000;
const IDLE_POLL_MS = 500;

interface Running {
  queue: string;
  label: string;
  job: Job<PointJob, PointReturn>;
  token: string;
  exec: Execution;
  /** The job's lock is gone (run finished elsewhere, removed or cancelled): drop the result. */
  lost: boolean;
  /** The sweep was stopped: the point stops at its next window and reports. */
  stopped: boolean;
  /** This worker is shutting down: stop the point and put the job back. */
  released: boolean;
  renewing: boolean;
  /** Date.now() when the lock was last renewed (or taken). */
  renewedAt: number;
}

export class QueueWorker {
  private readonly link: RedisLink;
  private redis!: Redis;
  private pool: PartitionPool | null = null;
  private readonly fetchers = new Map<string, Worker>();
  private readonly running = new Map<string, Running>();
  private live: string[] = [];
  private finishing = false;
  private wakeUp: (() => void) | null = null;
  private stopWaiters: (() => void)[] = [];
  private readonly name = workerName();
  private readonly lockMs: number;
  /** Renew well within the lock (BullMQ's own workers renew at half of it). */
  private readonly renewMs: number;

  constructor(private readonly opts: QueueWorkerOptions) {
    this.link = new RedisLink(opts.target, (l) => opts.say(l), { retry: true });
    this.lockMs = opts.lockMs ?? LOCK_MS;
    this.renewMs = Math.min(RENEW_MS, Math.floor(this.lockMs / 3));
  }

  get busy(): number {
    return this.running.size;
  }

  /** Connect (retrying while the server is unreachable) and start the partition threads. */
  async start(): Promise<void> {
    this.redis = this.link.client('vioemu-worker');
    if (!(await this.link.connectPersistently(this.redis, '--queue', () => this.finishing))) return;
    this.pool = createPartitionPool(this.opts.concurrency);
    this.opts.say(`ready on ${this.opts.target.shown}: up to ${this.opts.concurrency} point${this.opts.concurrency === 1 ? '' : 's'} at a time (${this.name}, code ${codeId().source}, node ${process.version})`);
  }

  /** Take no more points; the loop ends once the running ones are done. */
  finish(): void {
    this.finishing = true;
    for (const w of this.stopWaiters.splice(0)) w();
    this.wake();
  }

  /** Stop the running points now and put their jobs back in their queues. */
  release(): void {
    this.finish();
    for (const r of this.running.values()) {
      r.released = true;
      r.exec.stop();
    }
  }

  /** Fetch and run points until finish(); then wait for the running ones and close everything. */
  async run(): Promise<void> {
    const done = new Set<Promise<void>>();
    while (!this.finishing && this.pool) {
      try {
        await this.untilStopped(this.discover());
        if (!this.finishing) await this.fill(done);
      } catch (e) {
        this.link.problem(e);
      }
      if (this.finishing) break;
      await this.sleep(this.running.size < this.opts.concurrency ? IDLE_POLL_MS : 60_000);
    }
    await Promise.all(done);
    await this.close();
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** `p`, or undefined as soon as finish() is called (Redis may be unreachable: never hang a shutdown). */
  private untilStopped<T>(p: Promise<T>): Promise<T | undefined> {
    if (this.finishing) return Promise.resolve(undefined);
    return Promise.race([p, new Promise<undefined>((r) => this.stopWaiters.push(() => r(undefined)))]);
  }

  /** Live runs from the registry, oldest first; runs whose sweep is gone are removed (by one worker). */
  private async discover(): Promise<void> {
    const names = (await this.redis.zrange(REGISTRY_KEY, 0, '-1')) as string[];
    const alive = names.length ? await this.redis.mget(names.map((q) => aliveKey(q))) : [];
    const live: string[] = [];
    for (const [i, q] of names.entries()) {
      if (alive[i] !== null) live.push(q);
      else if ((await this.redis.zrem(REGISTRY_KEY, q)) === 1) await this.forget(q);
    }
    this.live = live;
    for (const [q, w] of this.fetchers) {
      if (!live.includes(q) && ![...this.running.values()].some((r) => r.queue === q)) {
        this.fetchers.delete(q);
        await w.close().catch(() => {});
        // Its stalled check may have run after the sweep removed the run, recreating two keys (one without expiry): remove them.
        if ((await this.redis.zscore(REGISTRY_KEY, q)) === null) await this.redis.del(`${PREFIX}:${q}:meta`, `${PREFIX}:${q}:stalled-check`);
      }
    }
  }

  /** A run whose sweep stopped heartbeating (killed, or cut off for a minute): remove its jobs. */
  private async forget(q: string): Promise<void> {
    const queue = new Queue(q, { connection: this.redis, prefix: PREFIX });
    this.link.watch(queue);
    try {
      await queue.obliterate({ force: true });
      await this.redis.del(stopKey(q));
      this.opts.say(`${q}: its sweep is gone; removed its jobs`);
    } finally {
      await queue.close();
    }
  }

  private fetcher(q: string): Worker {
    let w = this.fetchers.get(q);
    if (!w) {
      w = new Worker(q, null, { connection: this.redis, prefix: PREFIX, name: this.name, autorun: false, lockDuration: this.lockMs, stalledInterval: this.lockMs });
      this.link.watch(w);
      w.startStalledCheckTimer().catch((e) => this.link.problem(e));
      this.fetchers.set(q, w);
    }
    return w;
  }

  /** Fill free slots from the live runs, oldest run first. */
  private async fill(done: Set<Promise<void>>): Promise<void> {
    for (const q of this.live) {
      while (!this.finishing && this.running.size < this.opts.concurrency) {
        const token = randomUUID();
        const fetching = this.fetcher(q).getNextJob(token, { block: false }) as Promise<Job<PointJob, PointReturn> | undefined>;
        const job = await this.untilStopped(fetching);
        if (this.finishing) {
          // Shutting down while the fetch was under way: hand a job that still arrives straight back.
          void fetching.then((j) => j?.moveToWait(token)).catch(() => {});
          return;
        }
        if (!job) break;
        const p = this.process(q, job, token).finally(() => {
          done.delete(p);
          this.wake();
        });
        done.add(p);
      }
    }
  }

  private async renew(r: Running): Promise<void> {
    if (!r.lost && Date.now() - r.renewedAt >= this.lockMs) {
      // Not renewed for the lock's whole duration (Redis unreachable): it has expired, the job is no longer ours.
      r.lost = true;
      r.exec.stop();
      this.opts.say(`${r.queue} ${r.label}: lock not renewed for ${Math.round(this.lockMs / 1000)} s (redis unreachable); stopping the point`);
    }
    if (r.renewing || r.lost) return;
    r.renewing = true;
    try {
      const [locked, stop] = await Promise.all([r.job.extendLock(r.token, this.lockMs), this.redis.exists(stopKey(r.queue))]);
      if (locked) r.renewedAt = Date.now();
      if (!locked && !r.lost) {
        r.lost = true;
        r.exec.stop();
      } else if (stop && !r.stopped) {
        r.stopped = true;
        r.exec.stop();
        this.opts.say(`${r.queue} ${r.label}: the sweep was stopped; stopping at the next window`);
      }
    } catch {
      // unreachable: the link says so once; the lock lasts lockMs
    } finally {
      r.renewing = false;
    }
  }

  /**
   * Report to Redis for `r`: `p`, or 'gone' once the lock is lost (not renewed
   * for its duration) or, shutting down, Redis is unreachable: never hang.
   */
  private async report(r: Running, p: Promise<unknown>): Promise<'done' | 'gone'> {
    let timer: NodeJS.Timeout | undefined;
    const gone = new Promise<'gone'>((resolve) => {
      const tick = () => (r.lost || (this.finishing && this.link.isDown) ? resolve('gone') : (timer = setTimeout(tick, 100)));
      tick();
    });
    try {
      return await Promise.race([p.then(() => 'done' as const), gone]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async process(q: string, job: Job<PointJob, PointReturn>, token: string): Promise<void> {
    const data = job.data;
    const r: Running = { queue: q, label: data?.label || data?.scenario || String(job.id), job, token, exec: new Execution(), lost: false, stopped: false, released: false, renewing: false, renewedAt: Date.now() };
    const key = `${q}/${job.id}`;
    this.running.set(key, r);
    const timer = setInterval(() => void this.renew(r), this.renewMs);
    const say = (s: string) => this.opts.say(`${q} ${r.label}: ${s}`);
    try {
      let ret: PointReturn;
      try {
        // Its workers were lost more often than BullMQ allows (killed, out of memory, machine gone). BullMQ 6
        // moves such a job back to the queue marked to fail and fails it only in its own processing loop,
        // which manual fetching bypasses: without this, a point that kills its worker ran again for ever.
        if (job.deferredFailure) throw new Error(`${job.deferredFailure}: the worker running it was lost ${job.stalledCounter || 'too many'} times (killed, out of memory, or its machine gone)`);
        if (data?.format !== FORMAT) throw new Error(`job format ${String(data?.format)}, but this worker reads format ${FORMAT}: run the same vioemu version on every machine`);
        const point = decodePoint(data.point);
        if (!Object.prototype.hasOwnProperty.call(MODELS, point.scenario.model)) throw new Error(`this worker has no model ${JSON.stringify(point.scenario.model)}`);
        say(`started (point ${data.index + 1} of ${data.count})`);
        const out = await r.exec.runPoint(this.pool!, point, data.index, 1, { workers: 1 });
        ret = { format: FORMAT, result: encodeResult(out.result), worker: this.name, code: codeId() };
        if (out.result.error) say(`the run failed: ${out.result.error}`);
      } catch (e) {
        if (r.lost) return say('the run is gone; dropped');
        say(`failed: ${reason(e)}`);
        const sent = await this.report(r, job.moveToFailed(e as Error, token, false)).catch((e2) => say(`could not report the failure: ${reason(e2)}`));
        if (sent === 'gone') say('could not report the failure: redis unreachable');
        return;
      }
      if (r.lost) return say('the run is gone (stopped, removed, or taken over after a lost lock); result dropped');
      if (r.released) {
        await this.report(r, job.moveToWait(token)).then(
          (sent) => say(sent === 'done' ? 'put back in the queue' : 'could not put it back (redis unreachable); it returns to the queue when its lock expires'),
          (e) => say(`could not put it back (${reason(e)}); it returns to the queue when its lock expires`),
        );
        return;
      }
      try {
        if ((await this.report(r, job.moveToCompleted(ret, token, false))) === 'done') say(r.stopped ? 'stopped; partial result delivered' : 'done');
        else say('result not delivered: redis unreachable (the job runs again elsewhere, or its run is gone)');
      } catch (e) {
        say(`result not delivered: ${reason(e)}`);
      }
    } finally {
      clearInterval(timer);
      this.running.delete(key);
    }
  }

  async close(): Promise<void> {
    // With the server gone there is nothing to say goodbye to: do not wait for it.
    const ms = this.link.isDown ? 200 : 5_000;
    const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, ms).unref())]);
    await bounded(Promise.all([...this.fetchers.values()].map((w) => w.close())));
    this.fetchers.clear();
    await this.pool?.destroy();
    await bounded(this.link.close());
    if (this.redis) drop(this.redis);
  }
}
