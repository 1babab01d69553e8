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

export class Sim {
  nowNs = 0;
  eventsProcessed = 0;
  readonly seed: number;
  readonly partition: number;
  readonly metrics = new MetricSink();
  private readonly queue = new EventQueue();
  private readonly actors = new Map<number, Actor>();
  private readonly seqs = new Map<number, number>();
  private readonly partitionOf: (id: number) => number;
  private readonly outboxes: RemoteRecord[][];
  private readonly lookaheadNs: number;
  private stopRequested = false;

  constructor(opts: SimOptions) {
    this.seed = opts.seed;
    this.partition = opts.partition ?? 0;
    this.partitionOf = opts.partitionOf ?? (() => this.partition);
    this.outboxes = Array.from({ length: opts.partitions ?? 1 }, () => []);
    this.lookaheadNs = opts.lookaheadNs ?? Infinity;
  }

  register<A extends Actor>(actor: A): A {
    if (this.actors.has(actor.id)) throw new Error(`actor id ${actor.id} registered twice`);
    this.actors.set(actor.id, actor);
    return actor;
  }

  isLocal(actorId: number): boolean {
    return this.partitionOf(actorId) === this.partition;
  }

  rng(actorId: number): Rng {
    return new Rng(this.seed, actorId);
  }

  private nextSeq(srcId: number): number {
    const s = this.seqs.get(srcId) ?? 0;
    this.seqs.set(srcId, s + 1);
    return s;
  }

  /** Deliver `msg` to `dstId` after `delayNs` of virtual time. */
  send(srcId: number, dstId: number, delayNs: number, msg: unknown): void {
    if (!Number.isSafeInteger(delayNs) || delayNs < 0) assertNs(delayNs, `delay ${srcId}->${dstId}`);
    const timeNs = this.nowNs + delayNs;
    const srcSeq = this.nextSeq(srcId);
    const dstPart = this.partitionOf(dstId);
    if (dstPart === this.partition) {
      this.queue.push({ timeNs, srcId, srcSeq, dstId, msg, fn: null, cancelled: false });
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
    const ev: SimEvent = { timeNs: this.nowNs + delayNs, srcId, srcSeq: this.nextSeq(srcId), dstId: -1, msg: null, fn, cancelled: false };
    this.queue.push(ev);
    return ev;
  }

  cancel(handle: TimerHandle): void {
    handle.cancelled = true;
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
    try {
      while (n < maxEvents && !this.stopRequested) {
        const ev = q.peek();
        if (!ev || ev.timeNs >= endNs) break;
        q.pop();
        if (ev.cancelled) continue;
        this.nowNs = ev.timeNs;
        n++;
        if (ev.target) {
          (ev.target as Record<string, (arg: unknown) => void>)[ev.method!]!(ev.msg);
        } else if (ev.fn) {
          ev.fn();
        } else {
          const a = this.actors.get(ev.dstId);
          if (!a) throw new Error(`message to unknown actor ${ev.dstId} from ${ev.srcId}`);
          a.receive(ev.msg, ev.timeNs);
        }
      }
    } finally {
      // Also when an event throws: a crashed run's partial result keeps its count.
      this.eventsProcessed += n;
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
      this.queue.push({ timeNs: r.timeNs, srcId: r.srcId, srcSeq: r.srcSeq, dstId: r.dstId, msg: r.msg, fn: null, cancelled: false });
    }
  }

  /** Every queued event (heap order, cancelled ones too), for checkpoints. */
  queuedEvents(): readonly SimEvent[] {
    return this.queue.events();
  }

  /** Sequence counters of the actors `keep` selects, for checkpoints. */
  seqEntries(keep: (actorId: number) => boolean): [number, number][] {
    const out: [number, number][] = [];
    for (const [id, s] of this.seqs) if (keep(id)) out.push([id, s]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /**
   * Resume: forget what building the hosts queued and counted, and stand at
   * `nowNs` with `eventsProcessed` already done; restore() then puts back the
   * checkpoint's events and counters host by host.
   */
  resetForRestore(nowNs: number, eventsProcessed: number): void {
    this.queue.clear();
    this.seqs.clear();
    this.nowNs = nowNs;
    this.eventsProcessed = eventsProcessed;
  }

  restore(events: readonly SimEvent[], seqs: readonly [number, number][]): void {
    for (const ev of events) {
      if (ev.timeNs < this.nowNs) throw new Error(`checkpoint event at ${ev.timeNs} ns before the checkpoint instant ${this.nowNs} ns`);
      this.queue.push(ev);
    }
    for (const [id, s] of seqs) this.seqs.set(id, s);
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
