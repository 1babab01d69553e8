// One partition's discrete-event engine (SimPy's peek/step/run over a heap).
// Actors are addressed by numeric id; messages to actors owned by another
// partition go to a per-partition outbox, exchanged at window boundaries.
import { EventQueue, type SimEvent } from './eventQueue.ts';
import { MetricSink } from './metricSink.ts';
import { Rng } from './rng.ts';
import { assertNs } from './time.ts';

export interface Actor {
  readonly id: number;
  receive(msg: unknown, nowNs: number): void;
}

/** A message bound for another partition, in delivery-key form. */
export interface RemoteRecord {
  timeNs: number;
  srcId: number;
  srcSeq: number;
  dstId: number;
  msg: unknown;
}

export interface SimOptions {
  seed: number;
  partition?: number;
  /** Which partition owns an actor id; default: everything is local. */
  partitionOf?: (actorId: number) => number;
  partitions?: number;
  /** Minimum delay of any message that crosses partitions (the window lookahead). */
  lookaheadNs?: number;
}

export type TimerHandle = SimEvent;

/**
 * Actor ids are host × 2^20 + local index (model.ts). Sequence counters and
 * actors are kept per host in arrays indexed by the local index, when that is
 * below DENSE_LOCAL (a sparse high index, like the ring's crash timer, would
 * make a huge array); other ids go to a Map.
 */
const STRIDE = 1 << 20;
const DENSE_LOCAL = 1 << 16;
const DENSE_HOSTS = 4096;

/** The index into a host's dense arrays, or -1 when the id belongs in the Map. */
function denseLocal(id: number): number {
  const local = id % STRIDE;
  return local >= 0 && local < DENSE_LOCAL && id < DENSE_HOSTS * STRIDE && Number.isInteger(id) ? local : -1;
}

export class Sim {
  nowNs = 0;
  eventsProcessed = 0;
  readonly seed: number;
  readonly partition: number;
  readonly metrics = new MetricSink();
  private readonly queue = new EventQueue();
  /** Actors by id: [host][local index], and a Map for ids outside that range. */
  private readonly actorsByHost: (Actor | undefined)[][] = [];
  private readonly actorsOther = new Map<number, Actor>();
  /** Next sequence number per source actor: [host][local index], and a Map for ids outside that range. */
  private readonly seqByHost: Float64Array[] = [];
  private readonly seqOther = new Map<number, number>();
  private readonly partitionOf: (id: number) => number;
  private readonly outboxes: RemoteRecord[][];
  private readonly lookaheadNs: number;
  private stopRequested = false;
  /** Timers cancelled since the queue was last swept (an upper bound of the dead events in it). */
  private cancelsSinceSweep = 0;

  constructor(opts: SimOptions) {
    this.seed = opts.seed;
    this.partition = opts.partition ?? 0;
    this.partitionOf = opts.partitionOf ?? (() => this.partition);
    this.outboxes = Array.from({ length: opts.partitions ?? 1 }, () => []);
    this.lookaheadNs = opts.lookaheadNs ?? Infinity;
  }

  register<A extends Actor>(actor: A): A {
    if (this.actor(actor.id) !== undefined) throw new Error(`actor id ${actor.id} registered twice`);
    const id = actor.id;
    const local = denseLocal(id);
    if (local >= 0) {
      const host = (id - local) / STRIDE;
      while (this.actorsByHost.length <= host) this.actorsByHost.push([]);
      const actors = this.actorsByHost[host]!;
      // Filled up to the index, so the array has no holes (and stays a fast array).
      while (actors.length < local) actors.push(undefined);
      actors[local] = actor;
    } else {
      this.actorsOther.set(id, actor);
    }
    return actor;
  }

  private actor(id: number): Actor | undefined {
    const local = denseLocal(id);
    if (local >= 0) {
      const actors = this.actorsByHost[(id - local) / STRIDE];
      return actors === undefined ? undefined : actors[local];
    }
    return this.actorsOther.get(id);
  }

  isLocal(actorId: number): boolean {
    return this.partitionOf(actorId) === this.partition;
  }

  rng(actorId: number): Rng {
    return new Rng(this.seed, actorId);
  }

  private nextSeq(srcId: number): number {
    // denseLocal(srcId), written out: every event takes a sequence number.
    const local = srcId % STRIDE;
    if (local >= 0 && local < DENSE_LOCAL && srcId < DENSE_HOSTS * STRIDE && Number.isInteger(srcId)) {
      const host = (srcId - local) / STRIDE;
      let seqs = this.seqByHost[host];
      if (seqs === undefined || local >= seqs.length) seqs = this.growSeqs(host, local);
      return seqs[local]!++;
    }
    const s = this.seqOther.get(srcId) ?? 0;
    this.seqOther.set(srcId, s + 1);
    return s;
  }

  private setSeq(srcId: number, next: number): void {
    const local = denseLocal(srcId);
    if (local < 0) {
      this.seqOther.set(srcId, next);
      return;
    }
    const host = (srcId - local) / STRIDE;
    let seqs = this.seqByHost[host];
    if (seqs === undefined || local >= seqs.length) seqs = this.growSeqs(host, local);
    seqs[local] = next;
  }

  private growSeqs(host: number, local: number): Float64Array {
    while (this.seqByHost.length <= host) this.seqByHost.push(new Float64Array(0));
    const old = this.seqByHost[host]!;
    let n = Math.max(64, old.length);
    while (n <= local) n *= 2;
    const seqs = new Float64Array(n);
    seqs.set(old);
    this.seqByHost[host] = seqs;
    return seqs;
  }

  /** Deliver `msg` to `dstId` after `delayNs` of virtual time. */
  send(srcId: number, dstId: number, delayNs: number, msg: unknown): void {
    if (!Number.isSafeInteger(delayNs) || delayNs < 0) assertNs(delayNs, `delay ${srcId}->${dstId}`);
    const timeNs = this.nowNs + delayNs;
    const srcSeq = this.nextSeq(srcId);
    const dstPart = this.partitionOf(dstId);
    if (dstPart === this.partition) {
      this.queue.push({ timeNs, srcId, srcSeq, dstId, msg, fn: null, target: null, method: null, cancelled: false });
      return;
    }
    if (delayNs < this.lookaheadNs) {
      throw new Error(`message ${srcId}->${dstId} crosses partitions with delay ${delayNs} ns < lookahead ${this.lookaheadNs} ns`);
    }
    this.outboxes[dstPart]!.push({ timeNs, srcId, srcSeq, dstId, msg });
  }

  /**
   * After `delayNs`, `target[method](arg)` on behalf of actor `srcId`: a timer
   * as data (the target is an object of the model, the argument plain data),
   * so a checkpoint can write it and a resumed run fire it.
   */
  call<T extends object>(srcId: number, delayNs: number, target: T, method: keyof T & string, arg: unknown = null): TimerHandle {
    if (!Number.isSafeInteger(delayNs) || delayNs < 0) assertNs(delayNs, `timer delay of ${srcId}`);
    const ev: SimEvent = { timeNs: this.nowNs + delayNs, srcId, srcSeq: this.nextSeq(srcId), dstId: -1, msg: arg, fn: null, target, method, cancelled: false };
    this.queue.push(ev);
    return ev;
  }

  /** Run `fn` after `delayNs` on behalf of actor `srcId` (its own timer). Prefer `call`: closures cannot be checkpointed. */
  timer(srcId: number, delayNs: number, fn: () => void): TimerHandle {
    if (!Number.isSafeInteger(delayNs) || delayNs < 0) assertNs(delayNs, `timer delay of ${srcId}`);
    const ev: SimEvent = { timeNs: this.nowNs + delayNs, srcId, srcSeq: this.nextSeq(srcId), dstId: -1, msg: null, fn, target: null, method: null, cancelled: false };
    this.queue.push(ev);
    return ev;
  }

  cancel(handle: TimerHandle): void {
    if (handle.cancelled) return;
    handle.cancelled = true;
    // A cancelled timer stays in the heap until it reaches the top, and models
    // re-arm timers all the time (fig3-domu: ~1,950 queued events on average
    // without this sweep, ~155 with it). Sweep them out once they could be
    // half of the heap: O(1) amortised per cancel; the rest keep their key
    // order, so nothing but speed changes.
    if (++this.cancelsSinceSweep > 256 && 2 * this.cancelsSinceSweep > this.queue.size) {
      this.queue.dropCancelled();
      this.cancelsSinceSweep = 0;
    }
  }

  /** Time of the next live event, or Infinity. */
  peekTimeNs(): number {
    for (;;) {
      const top = this.queue.peek();
      if (!top) return Infinity;
      if (!top.cancelled) return top.timeNs;
      this.queue.pop();
    }
  }

  /** Process events with timeNs < endNs; stop early after maxEvents. Returns events processed. */
  runUntil(endNs: number, maxEvents = Infinity): number {
    const q = this.queue;
    let n = 0;
    while (n < maxEvents && !this.stopRequested) {
      const ev = q.popBefore(endNs);
      if (ev === null) break;
      if (ev.cancelled) continue;
      this.nowNs = ev.timeNs;
      n++;
      // Counted before it runs, so a crashed run's partial result includes the event that threw. (Per event,
      // not in a `finally`: code that runs only when the loop ends has no type feedback when the loop is
      // optimized on stack, and would deoptimize it at every window's end.)
      this.eventsProcessed++;
      const target = ev.target;
      if (target) {
        (target as Record<string, (arg: unknown) => void>)[ev.method!]!(ev.msg);
      } else if (ev.fn) {
        ev.fn();
      } else {
        const a = this.actor(ev.dstId);
        if (!a) throw new Error(`message to unknown actor ${ev.dstId} from ${ev.srcId}`);
        a.receive(ev.msg, ev.timeNs);
      }
    }
    return n;
  }

  /** Advance the clock to `timeNs` when the queue holds nothing earlier (end of a run). */
  advanceTo(timeNs: number): void {
    if (timeNs > this.nowNs) this.nowNs = timeNs;
  }

  /** A model may end the run early (e.g. all work done). */
  requestStop(): void {
    this.stopRequested = true;
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  deliverRemote(records: readonly RemoteRecord[]): void {
    for (const r of records) {
      if (r.timeNs < this.nowNs) throw new Error(`remote message at ${r.timeNs} ns arrived after local time ${this.nowNs} ns`);
      this.queue.push({ timeNs: r.timeNs, srcId: r.srcId, srcSeq: r.srcSeq, dstId: r.dstId, msg: r.msg, fn: null, target: null, method: null, cancelled: false });
    }
  }

  /** Every queued event (heap order, cancelled ones too), for checkpoints. */
  queuedEvents(): readonly SimEvent[] {
    return this.queue.events();
  }

  /** Sequence counters of the actors `keep` selects, for checkpoints (only sources that have sent: counters ≥ 1). */
  seqEntries(keep: (actorId: number) => boolean): [number, number][] {
    const out: [number, number][] = [];
    this.seqByHost.forEach((seqs, host) => {
      for (let local = 0; local < seqs.length; local++) {
        const id = host * STRIDE + local;
        if (seqs[local]! > 0 && keep(id)) out.push([id, seqs[local]!]);
      }
    });
    for (const [id, s] of this.seqOther) if (keep(id)) out.push([id, s]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /**
   * Resume: forget what building the hosts queued and counted, and stand at
   * `nowNs` with `eventsProcessed` already done; restore() then puts back the
   * checkpoint's events and counters host by host.
   */
  resetForRestore(nowNs: number, eventsProcessed: number): void {
    this.queue.clear();
    this.seqByHost.length = 0;
    this.seqOther.clear();
    this.cancelsSinceSweep = 0;
    this.nowNs = nowNs;
    this.eventsProcessed = eventsProcessed;
  }

  restore(events: readonly SimEvent[], seqs: readonly [number, number][]): void {
    for (const ev of events) {
      if (ev.timeNs < this.nowNs) throw new Error(`checkpoint event at ${ev.timeNs} ns before the checkpoint instant ${this.nowNs} ns`);
      this.queue.push(ev);
    }
    for (const [id, s] of seqs) this.setSeq(id, s);
  }

  /** Take (and clear) the outbox for partition `p`. */
  takeOutbox(p: number): RemoteRecord[] {
    const box = this.outboxes[p]!;
    if (box.length === 0) return box;
    this.outboxes[p] = [];
    return box;
  }

  /** Earliest delivery time among pending outbound records, or Infinity. */
  outboxMinTimeNs(): number {
    let m = Infinity;
    for (const box of this.outboxes) for (const r of box) if (r.timeNs < m) m = r.timeNs;
    return m;
  }
}
