// The execution model: a VCPU's guest owns work sources.
// Softirq-class sources run as Linux 2.6.18's __do_softirq runs them
// (kernel/softirq.c): a pass takes the softirqs pending when it starts, in
// softirq-number order (HI 0, TIMER 1, NET_TX 2, NET_RX 3, TASKLET 5, ...);
// what is raised during a pass waits for the next pass. A handler that is not
// finished (net_rx_action with budget left) goes on before anything else.
// Process-class sources (the iperf reader) run only when no softirq work is
// pending. An item is sized in cycles when it starts — so a batch takes what
// piled up while the VCPU was descheduled — and advances only while the VCPU
// runs. A guest with nothing to do blocks.
// Hard-IRQ handlers (event-channel upcalls) preempt: the item in progress is
// set aside with its remaining cycles, the handler runs, and then a softirq
// item resumes at once (softirqs do not nest: irq_exit leaves what it raised
// to the running __do_softirq), while a process item resumes only once the
// softirqs irq_exit runs (do_softirq) are done.

export interface WorkContext {
  nowNs: number;
  /** PCPU the VCPU runs on now (cache-locality factors depend on it). */
  pcpu: number;
}

export interface WorkPart {
  component: string;
  cycles: number;
  packets: number;
}

/**
 * A unit of work on a VCPU. It is data — what it costs and what it carries —
 * and its source applies the effects when the cycles are spent
 * (`source.complete(item, ctx)`): no closure per item, so a checkpoint can
 * write an item in progress and a resumed run can finish it.
 */
export interface WorkItem<D = unknown> {
  /** Cycles split by component (cycles-per-packet accounting); their sum is the item's cost. */
  parts: WorkPart[];
  source: WorkSource<D>;
  data: D;
}

export type WorkClass = 'softirq' | 'process';

/** Linux softirq numbers (include/linux/interrupt.h, 2.6.18); hard-IRQ handlers run as 0. */
export const SOFTIRQ = { HARDIRQ: 0, TIMER: 1, NET_TX: 2, NET_RX: 3, BLOCK: 4, TASKLET: 5 } as const;

export interface WorkSource<D = unknown> {
  readonly name: string;
  readonly workClass?: WorkClass;
  /** Softirq number (order within a __do_softirq pass); default TASKLET's. */
  readonly softirq?: number;
  /** Has something to do now (no side effects). */
  pending(): boolean;
  /** Start the next item (null if nothing after all). */
  take(ctx: WorkContext): WorkItem<D> | null;
  /** The item's cycles are spent: apply its effects (may post work elsewhere and notify VCPUs). */
  complete(item: WorkItem<D>, ctx: WorkContext): void;
  /** The handler is mid-invocation (e.g. net_rx_action with budget left): run it again before the pass moves on. */
  continuing?(): boolean;
  /**
   * Work the queuing item would have done synchronously (dev_queue_xmit →
   * qdisc_run → hard_start_xmit from inside tcp_v4_rcv): it runs right after
   * that item, before a continuing handler goes on or the pass moves on.
   */
  readonly inline?: boolean;
}

export function itemCycles(item: WorkItem): number {
  let c = 0;
  for (const p of item.parts) c += p.cycles;
  return c;
}

/** A softirq-class source from its pieces: `take` sizes an item and says what it carries, `complete` applies it. */
export function softirqSource<D>(
  name: string,
  softirq: number,
  pending: () => boolean,
  take: (ctx: WorkContext) => { parts: WorkPart[]; data: D } | null,
  complete: (data: D, ctx: WorkContext) => void,
): WorkSource<D> {
  const src: WorkSource<D> = {
    name,
    softirq,
    pending,
    take: (ctx) => {
      const t = take(ctx);
      return t ? { parts: t.parts, source: src, data: t.data } : null;
    },
    complete: (item, ctx) => complete(item.data, ctx),
  };
  return src;
}

/** A single-component item. */
export function work<D>(source: WorkSource<D>, component: string, cycles: number, packets: number, data: D): WorkItem<D> {
  return { parts: [{ component, cycles, packets }], source, data };
}

const DEFAULT_SOFTIRQ = SOFTIRQ.TASKLET;

/** An item a hard IRQ preempted: what is left of it. */
interface Suspended {
  item: WorkItem;
  currentCycles: number;
  remainingCycles: number;
}

/** A guest's work: the current item, its remaining cycles, and where to look next. */
export class GuestWork {
  current: WorkItem | null = null;
  currentCycles = 0;
  remainingCycles = 0;
  /** Hard-IRQ handlers: they run before anything else, preempting the item in progress. */
  private readonly hardirq: WorkSource[] = [];
  /** Items hard IRQs preempted, innermost last: a process item under a softirq item (a handler itself is never preempted). */
  private readonly suspendedStack: Suspended[] = [];
  /** Softirq sources in (softirq number, insertion) order. */
  private readonly softirq: WorkSource[] = [];
  /** Sources that run in the context of whatever queued their work (see WorkSource.inline). */
  private readonly inline: WorkSource[] = [];
  private readonly process: WorkSource[] = [];
  private nextProcess = 0;
  /** Sources still to run in the current __do_softirq pass. */
  private pass: WorkSource[] = [];
  private last: WorkSource | null = null;

  addSource(src: WorkSource): void {
    if (src.workClass === 'process') {
      this.process.push(src);
      return;
    }
    if (src.inline) {
      this.inline.push(src);
      return;
    }
    if (src.softirq === SOFTIRQ.HARDIRQ) {
      this.hardirq.push(src);
      return;
    }
    const n = src.softirq ?? DEFAULT_SOFTIRQ;
    let i = this.softirq.length;
    while (i > 0 && (this.softirq[i - 1]!.softirq ?? DEFAULT_SOFTIRQ) > n) i--;
    this.softirq.splice(i, 0, src);
  }

  wantsCpu(): boolean {
    if (this.current || this.suspendedStack.length > 0) return true;
    for (const s of this.hardirq) if (s.pending()) return true;
    for (const s of this.inline) if (s.pending()) return true;
    for (const s of this.softirq) if (s.pending()) return true;
    for (const s of this.process) if (s.pending()) return true;
    return false;
  }

  /** A hard IRQ is pending and the item in progress is not a handler: it must be preempted. */
  irqPreempts(): boolean {
    const cur = this.current;
    if (!cur || this.hardirq.includes(cur.source)) return false;
    for (const s of this.hardirq) if (s.pending()) return true;
    return false;
  }

  /** Set the item in progress aside (`remainingCycles` accounting for what ran) so that takeNext runs the handler. */
  suspendCurrent(): void {
    this.suspendedStack.push({ item: this.current!, currentCycles: this.currentCycles, remainingCycles: this.remainingCycles });
    this.current = null;
  }

  /**
   * Take the next item: a pending hard IRQ; then a preempted softirq item; then a continuing handler, the
   * pass in softirq order; then a preempted process item, or process work round-robin.
   */
  takeNext(ctx: WorkContext): WorkItem | null {
    for (const s of this.hardirq) {
      if (!s.pending()) continue;
      const item = s.take(ctx);
      if (item) return this.start(item);
    }
    const sus = this.suspendedStack.length > 0 ? this.suspendedStack[this.suspendedStack.length - 1]! : null;
    if (sus && sus.item.source.workClass !== 'process') return this.resume(sus);
    const item = this.takeSoftirq(ctx) ?? (sus ? null : this.takeProcess(ctx));
    if (item) return this.start(item);
    return sus ? this.resume(sus) : null;
  }

  private start(item: WorkItem): WorkItem {
    this.current = item;
    this.currentCycles = itemCycles(item);
    this.remainingCycles = this.currentCycles;
    return item;
  }

  private resume(sus: Suspended): WorkItem {
    this.suspendedStack.pop();
    this.current = sus.item;
    this.currentCycles = sus.currentCycles;
    this.remainingCycles = sus.remainingCycles;
    return sus.item;
  }

  private takeSoftirq(ctx: WorkContext): WorkItem | null {
    // Synchronous work of the item just done; the handler (this.last) resumes after it.
    for (const s of this.inline) {
      if (!s.pending()) continue;
      const item = s.take(ctx);
      if (item) return item;
    }
    const last = this.last;
    this.last = null;
    if (last && last.continuing?.() && last.pending()) {
      const item = last.take(ctx);
      if (item) {
        this.last = last;
        return item;
      }
    }
    for (let round = 0; round < 2; round++) {
      while (this.pass.length > 0) {
        const s = this.pass.shift()!;
        if (!s.pending()) continue;
        const item = s.take(ctx);
        if (item) {
          this.last = s;
          return item;
        }
      }
      // A new pass: what is pending now, in softirq order.
      for (const s of this.softirq) if (s.pending()) this.pass.push(s);
      if (this.pass.length === 0) return null;
    }
    return null;
  }

  private takeProcess(ctx: WorkContext): WorkItem | null {
    const list = this.process;
    for (let k = 0; k < list.length; k++) {
      const i = (this.nextProcess + k) % list.length;
      const s = list[i]!;
      if (!s.pending()) continue;
      const item = s.take(ctx);
      if (item) {
        this.nextProcess = (i + 1) % list.length;
        return item;
      }
    }
    return null;
  }
}
