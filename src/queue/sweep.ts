// `vioemu sweep --queue redis://…`: one BullMQ job per resolved sweep point on
// a queue of its own (named after the run), registered so that `vioemu
// worker` processes find it; waits for every result and returns them in
// point order, exactly as the local sweep would. Ctrl-C stops the running
// points at their next window, removes the run from Redis and returns what
// was gathered. A Redis that stays unreachable for GIVE_UP_MS (60 s, as long
// as the workers keep a silent run) ends the sweep: what was gathered, and
// every other point as failed with the reason. A server that keeps the
// connection open and stops answering (stopped, hung) counts as unreachable
// once a command has waited NO_ANSWER_MS (10 s).
import { Queue, type Job } from 'bullmq';
import { Execution, lookaheadFor } from '../run/execute.ts';
import { buildResult, type RunResult } from '../run/result.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import { drop, RedisLink, type RedisTarget } from './connection.ts';
import { envDurationMs, GIVE_UP_ENV, NO_ANSWER_ENV } from './knobs.ts';
import {
  aliveKey, ALIVE_TTL_S, codeId, decodeResult, encodePoint, FORMAT, HEARTBEAT_MS, newQueueName,
  PREFIX, REGISTRY_KEY, sameCode, stopKey, type PointJob, type PointReturn,
} from './protocol.ts';

export interface QueuedSweepOptions {
  target: RedisTarget;
  /** True once Ctrl-C (or SIGTERM/SIGHUP) arrived. */
  stopped: () => boolean;
  /** One line of progress on stderr. */
  say: (line: string) => void;
  /** Tell when no worker has taken a job this long after queueing (ms). */
  idleHintMs?: number;
  /** Give up once Redis has been unreachable this long (ms); default VIOEMU_QUEUE_GIVE_UP_AFTER or 60 s. */
  giveUpMs?: number;
}

const POLL_MS = 250;
/** After Ctrl-C: how long the running points get to report their partial results. */
const STOP_GRACE_MS = 10_000;
const CLEANUP_MS = 5_000;
/** Unreachable this long: the workers have dropped the run too (its alive key expired), so stop waiting. */
const GIVE_UP_MS = ALIVE_TTL_S * 1000;
/** A command unanswered this long on an open connection: the server is taken for unreachable. */
const NO_ANSWER_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A run's output before anything ran: what a local point stopped before its first window reports. */
function emptyResult(p: ScenarioPoint): RunResult {
  const sc = p.scenario;
  const out = { hosts: [], reachedNs: 0, events: 0, xstateEvents: 0, windows: 0, crossMessages: 0, interrupted: true, partitions: 1, trace: [], error: null, simStartedAtMs: NaN };
  return buildResult(sc, p.label, out, 0, lookaheadFor(sc, 1));
}

/** The result of a job that failed as a job (not as a simulation): interrupted, with the reason as `error`. */
export function failedResult(p: ScenarioPoint, message: string): RunResult {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(emptyResult(p))) {
    if (k === 'error') continue;
    out[k] = v;
    if (k === 'interrupted') out.error = message;
  }
  return out as RunResult;
}

/**
 * The results of points that did not run on a worker (never taken, failed as a job, or the sweep gave up),
 * as a local sweep reports a point it stopped before its first window: the point built here and stopped at
 * once, so the result carries the model's fields (zeros) like the local one, not only the run's counters.
 * `errors.get(i)`, if any, goes after `interrupted` as in failedResult. Falls back to the bare results.
 */
async function notRunResults(points: ScenarioPoint[], indices: number[], errors: Map<number, string>): Promise<Map<number, RunResult>> {
  const made = new Map<number, RunResult>();
  if (indices.length === 0) return made;
  try {
    const exec = new Execution();
    exec.stop();
    const outs = await exec.run(indices.map((i) => points[i]!), { workers: 1 });
    outs.forEach(({ result }, k) => {
      const i = indices[k]!;
      const message = errors.get(i);
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(result)) {
        if (key === 'error' || key === 'errorAt') continue;
        out[key] = key === 'wallSeconds' || key === 'startupWallSeconds' || key === 'realTimeFactor' ? 0 : v;
        if (key === 'interrupted' && message !== undefined) out.error = message;
      }
      made.set(i, out as RunResult);
    });
  } catch {
    // The bare results below say the same, without the model's zeros.
  }
  return made;
}

/** Run `f`, giving up after `ms` (Redis may be gone); says so once. */
async function bounded<T>(ms: number, f: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([f(), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function queuedSweep(points: ScenarioPoint[], opts: QueuedSweepOptions): Promise<RunResult[]> {
  const { target, say } = opts;
  const name = newQueueName();
  const code = codeId();
  const n = points.length;
  const jobOf = (i: number) => {
    const p = points[i]!;
    const data: PointJob = { format: FORMAT, queue: name, index: i, count: n, label: p.label, scenario: p.scenario.name, model: p.scenario.model, point: encodePoint(p), code };
    return { name: p.label || p.scenario.name, data, opts: { jobId: `p${i}`, attempts: 1, removeOnComplete: false, removeOnFail: false } };
  };
  const encoded = points.map((_, i) => jobOf(i)); // every point checked before anything is queued
  const giveUpMs = opts.giveUpMs ?? envDurationMs(GIVE_UP_ENV, GIVE_UP_MS);
  const noAnswerMs = envDurationMs(NO_ANSWER_ENV, NO_ANSWER_MS);

  const link = new RedisLink(target, (l) => say(`vioemu: ${l}`), { retry: false });
  const conn = link.client('vioemu-sweep');
  await link.connectOnce(conn); // unreachable, unknown host, refused credentials: exit 2, nothing queued
  link.retry = true;
  const queue = new Queue(name, { connection: conn, prefix: PREFIX });
  link.watch(queue);
  const results: (RunResult | undefined)[] = new Array<RunResult | undefined>(n).fill(undefined);
  let gathered = 0;
  const started = Date.now();
  const warnedWorkers = new Set<string>();
  /** Points whose job failed as a job, with the error their result carries. */
  const jobErrors = new Map<number, string>();
  let registered = false;
  /** Set once Redis has been unreachable for giveUpMs: the error every ungathered point carries. */
  let lost: string | null = null;
  const gaveUp = () => {
    const o = link.outage;
    if (!lost && o && Date.now() - o.since >= giveUpMs) lost = `${target.shown} unreachable for ${Math.round((Date.now() - o.since) / 1000)} s (${o.reason}); the sweep gave up waiting`;
    return lost !== null;
  };
  const quit = () => opts.stopped() || gaveUp();
  /** One command's answer `p`, with the link told when it has gone unanswered for noAnswerMs and when it is answered. */
  const watched = <T>(p: Promise<T>): Promise<T> => {
    const timer = setTimeout(() => link.noAnswer(noAnswerMs), noAnswerMs).unref(); // a sweep that gave up does not wait for it
    return p.then(
      (v) => {
        clearTimeout(timer);
        link.answered();
        return v;
      },
      (e: unknown) => {
        clearTimeout(timer);
        throw e;
      },
    );
  };

  const addJobs = async (indices: number[]) => {
    for (let k = 0; k < indices.length; k += 500) await watched(queue.addBulk(indices.slice(k, k + 500).map((i) => encoded[i]!)));
  };
  /** Alive key first, then the registry entry: a worker that sees the entry never takes the run for dead. */
  const register = async () => {
    await watched(conn.multi().set(aliveKey(name), String(Date.now()), 'EX', ALIVE_TTL_S).zadd(REGISTRY_KEY, started, name).exec());
    registered = true;
  };
  /** Jobs lost from Redis (a restart without persistence, or the run taken for dead): queue them again. */
  const reconcile = async () => {
    const counts = await queue.getJobCounts();
    const inQueue = Object.values(counts).reduce((a, b) => a + b, 0);
    const pending = results.flatMap((r, i) => (r === undefined ? [i] : []));
    if (inQueue >= pending.length) return;
    const pipe = conn.pipeline();
    for (const i of pending) pipe.exists(queue.toKey(`p${i}`));
    const exists = (await pipe.exec()) ?? [];
    const missing = pending.filter((_, k) => exists[k]?.[1] !== 1);
    if (missing.length === 0) return;
    await addJobs(missing);
    say(`vioemu: ${missing.length} job${missing.length === 1 ? '' : 's'} had vanished from redis (restarted?); queued again`);
  };

  const take = (i: number, r: RunResult, line: string) => {
    if (results[i] !== undefined) return;
    results[i] = r;
    gathered++;
    say(`vioemu: [${gathered}/${n}] ${points[i]!.label || points[i]!.scenario.name} ${line}`);
  };
  const gather = async () => {
    for (;;) {
      const jobs = (await watched(queue.getJobs(['completed', 'failed'], 0, 199, true))) as Job<PointJob, PointReturn>[];
      const fresh = jobs.filter((j) => j);
      if (fresh.length === 0) return;
      for (const job of fresh) {
        const i = Number(/^p(\d+)$/.exec(job.id ?? '')?.[1] ?? NaN);
        const ret = job.returnvalue;
        if (!(i < n)) {
          // not one of ours
        } else if (ret && typeof ret === 'object' && typeof ret.result === 'string') {
          const r = decodeResult(ret.result);
          if (!sameCode(ret.code, code) && !warnedWorkers.has(ret.worker)) {
            warnedWorkers.add(ret.worker);
            say(`vioemu: warning: worker ${ret.worker} runs other code (source ${ret.code.source} on node ${ret.code.node}; here ${code.source} on node ${code.node}): its results may differ from a local run`);
          }
          const wall = typeof r.wallSeconds === 'number' ? `, ${r.wallSeconds.toFixed(1)} s` : '';
          take(i, r, `${r.error ? 'failed' : r.interrupted ? 'interrupted' : 'done'} on ${ret.worker}${wall}`);
        } else {
          const why = job.failedReason ?? 'no result';
          const msg = `queue job failed${job.processedBy ? ` on ${job.processedBy}` : ''}: ${why}`;
          if (results[i] === undefined) jobErrors.set(i, msg);
          take(i, failedResult(points[i]!, msg), `failed: ${why}`);
        }
        await watched(job.remove());
      }
    }
  };

  let heartbeat: NodeJS.Timeout | undefined;
  let beating = false;
  try {
    await stoppable(quit, addJobs(encoded.map((_, i) => i)));
    if (!quit()) await stoppable(quit, register());
    if (!quit()) say(`vioemu: queued ${n} point${n === 1 ? '' : 's'} as ${name} on ${target.shown}; waiting for workers (vioemu worker --queue ${target.shown})`);
    heartbeat = setInterval(() => {
      if (beating) return;
      beating = true;
      register()
        .then(reconcile)
        .catch((e) => link.problem(e))
        .finally(() => (beating = false));
    }, HEARTBEAT_MS);

    let hinted = false;
    const idleHintMs = opts.idleHintMs ?? 15_000;
    while (gathered < n && !quit()) {
      try {
        await stoppable(quit, gather());
      } catch (e) {
        link.problem(e);
      }
      if (gathered >= n || quit()) break;
      if (!hinted && gathered === 0 && Date.now() - started > idleHintMs) {
        hinted = true;
        const active = await stoppable(quit, queue.getActiveCount()).catch(() => 0);
        if (!active && !quit()) say(`vioemu: no worker has taken a job after ${Math.round(idleHintMs / 1000)} s; start one with: vioemu worker --queue ${target.shown}`);
      }
      await stoppable(quit, sleep(POLL_MS));
    }

    if (lost) {
      // Nothing can be stopped or removed through a server that is gone; the workers drop the run on their own.
      say(`vioemu: ${lost}: ${gathered} of ${n} result${n === 1 ? '' : 's'} gathered, the other ${n - gathered} reported as failed`);
    } else if (gathered < n && link.isDown) {
      // Ctrl-C during an outage: nothing can be paused, stopped or gathered through a server that is gone,
      // so do not wait for it (the workers drop the run once its heartbeat key has expired).
      say(`vioemu: stopping the run: ${target.shown} is unreachable, so the running points cannot be told; writing what was gathered`);
      say(`vioemu: ${n - gathered} point${n - gathered === 1 ? '' : 's'} not gathered (reported as interrupted)`);
    } else if (gathered < n) {
      say(`vioemu: stopping the run: no new points start; running ones stop at their next window and report`);
      await bounded(STOP_GRACE_MS, async () => {
        await queue.pause();
        await conn.set(stopKey(name), '1', 'EX', 3600);
        for (;;) {
          await gather();
          if (gathered >= n || (await queue.getActiveCount()) === 0) break;
          await sleep(200);
        }
        await gather();
      }).catch((e) => link.problem(e));
      const missing = n - gathered;
      if (missing > 0) say(`vioemu: ${missing} point${missing === 1 ? '' : 's'} never ran (reported as interrupted)`);
    }
  } finally {
    clearInterval(heartbeat);
    const down = lost !== null || link.isDown;
    const cleaned = lost ? true : down ? undefined : await bounded(CLEANUP_MS, async () => {
      if (registered) await conn.multi().zrem(REGISTRY_KEY, name).del(aliveKey(name)).exec();
      await queue.obliterate({ force: true });
      await conn.del(stopKey(name));
      return true;
    }).catch(() => undefined);
    if (!cleaned) say(`vioemu: could not remove ${name} from redis; workers drop it ${ALIVE_TTL_S} s after this sweep's last heartbeat`);
    await bounded(down ? 200 : CLEANUP_MS, async () => {
      await queue.close();
      await link.close();
    }).catch(() => undefined);
    drop(conn);
  }
  const notRun = results.flatMap((r, i) => (r === undefined || jobErrors.has(i) ? [i] : []));
  const errors = new Map(jobErrors);
  if (lost) for (const i of notRun) if (!errors.has(i)) errors.set(i, `queue: ${lost}`);
  const made = await notRunResults(points, notRun, errors);
  return results.map((r, i) => made.get(i) ?? r ?? (lost ? failedResult(points[i]!, `queue: ${lost}`) : emptyResult(points[i]!)));
}

/** `p`, or nothing once `stopped()` turns true (polled every 100 ms): a hung Redis call never blocks Ctrl-C. */
async function stoppable<T>(stopped: () => boolean, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const watch = new Promise<undefined>((resolve) => {
    const tick = () => (stopped() ? resolve(undefined) : (timer = setTimeout(tick, 100)));
    tick();
  });
  try {
    return await Promise.race([p, watch]);
  } finally {
    clearTimeout(timer);
  }
}
