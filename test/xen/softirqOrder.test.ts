// GuestWork runs softirq sources as __do_softirq does: a pass takes what is
// pending when it starts, in softirq-number order; a handler with budget left
// (continuing) goes on first; process work only when no softirq is pending;
// inline work (a synchronous dev_queue_xmit from inside the handler) runs
// right after the item that queued it, before the handler polls again; a hard
// IRQ preempts the item in progress, which resumes where it stopped.
import { describe, expect, it } from 'vitest';
import { GuestWork, SOFTIRQ, work, type WorkSource } from '../../src/xen/work.ts';

function src(name: string, softirq: number, pendingFn: () => boolean, onTake: () => void = () => {}, continuing?: () => boolean): WorkSource<null> {
  const s: WorkSource<null> = { name, softirq, pending: pendingFn, take: () => (onTake(), work(s, name, 1, 0, null)), complete: () => {}, continuing };
  return s;
}

const ctx = { nowNs: 0, pcpu: 0 };

describe('__do_softirq order', () => {
  it('a pass runs pending softirqs by number; one raised during the pass waits for the next pass', () => {
    const g = new GuestWork();
    const order: string[] = [];
    let tasklet = false;
    let netRx = 2;
    g.addSource(src('tasklet', SOFTIRQ.TASKLET, () => tasklet, () => (order.push('tasklet'), (tasklet = false))));
    g.addSource(src('net_rx', SOFTIRQ.NET_RX, () => netRx > 0, () => (order.push('net_rx'), netRx--, (tasklet = true))));
    const reader: WorkSource<null> = { name: 'reader', workClass: 'process', pending: () => true, take: () => (order.push('reader'), work(reader, 'r', 1, 0, null)), complete: () => {} };
    g.addSource(reader);
    for (let i = 0; i < 4; i++) {
      g.takeNext(ctx);
      g.current = null;
    }
    // Pass 1: {net_rx}. Pass 2: {net_rx, tasklet} in number order. Then process work.
    expect(order).toEqual(['net_rx', 'net_rx', 'tasklet', 'reader']);
  });

  it('a hard IRQ runs first; a handler that is still continuing then runs again before the rest of the pass', () => {
    const g = new GuestWork();
    const order: string[] = [];
    let chunks = 3;
    let irq = false;
    let tasklet = false;
    g.addSource(src('hi', SOFTIRQ.HARDIRQ, () => irq, () => (order.push('hi'), (irq = false), (tasklet = true))));
    g.addSource(src('tasklet', SOFTIRQ.TASKLET, () => tasklet, () => (order.push('tasklet'), (tasklet = false))));
    g.addSource(src('net_rx', SOFTIRQ.NET_RX, () => chunks > 0, () => (order.push('net_rx'), chunks--, chunks === 2 && (irq = true)), () => chunks > 0));
    for (let i = 0; i < 6; i++) {
      if (!g.takeNext(ctx)) break;
      g.current = null;
    }
    expect(order).toEqual(['net_rx', 'hi', 'net_rx', 'net_rx', 'tasklet']);
  });

  it('inline work runs right after the item that queued it, then the continuing handler resumes', () => {
    const g = new GuestWork();
    const order: string[] = [];
    let polls = 3;
    let acks = 0;
    let txRaised = false;
    // net_rx_action with budget for 3 polls; each poll queues ACKs (inline) — a NET_TX source raised in poll 1 waits for the handler to end.
    g.addSource(src('net_tx', SOFTIRQ.NET_TX, () => txRaised, () => (order.push('net_tx'), (txRaised = false))));
    g.addSource(src('net_rx', SOFTIRQ.NET_RX, () => polls > 0, () => (order.push('poll'), polls--, acks++, polls === 2 && (txRaised = true)), () => polls > 0));
    const ackTx: WorkSource<null> = { name: 'ack-tx', inline: true, pending: () => acks > 0, take: () => (order.push('ack'), acks--, work(ackTx, 'ack', 1, 0, null)), complete: () => {} };
    g.addSource(ackTx);
    for (let i = 0; i < 10; i++) {
      if (!g.takeNext(ctx)) break;
      g.current = null;
    }
    expect(order).toEqual(['poll', 'ack', 'poll', 'ack', 'poll', 'ack', 'net_tx']);
    // Inline work alone keeps the VCPU wanting to run.
    acks = 1;
    expect(g.wantsCpu()).toBe(true);
  });

  describe('a hard IRQ preempts the item in progress', () => {
    /** An item of `cycles` from `name`, counted in `order` when taken. */
    const timed = (name: string, softirq: number, pending: () => boolean, cycles: number, order: string[], after: () => void = () => {}, workClass?: 'process'): WorkSource<null> => {
      const s: WorkSource<null> = { name, softirq, workClass, pending, take: () => (order.push(name), after(), work(s, name, cycles, 0, null)), complete: () => {} };
      return s;
    };

    it('a softirq item resumes right after the handler, with what it had left, before what the handler raised', () => {
      const g = new GuestWork();
      const order: string[] = [];
      let irq = false;
      let rx = true;
      let tasklet = false;
      g.addSource(timed('hi', SOFTIRQ.HARDIRQ, () => irq, 10, order, () => ((irq = false), (tasklet = true))));
      g.addSource(timed('tasklet', SOFTIRQ.TASKLET, () => tasklet, 10, order, () => (tasklet = false)));
      g.addSource(timed('net_rx', SOFTIRQ.NET_RX, () => rx, 100, order, () => (rx = false)));
      const rxItem = g.takeNext(ctx)!;
      g.remainingCycles = 40; // 60 of its 100 cycles ran
      expect(g.irqPreempts()).toBe(false);
      irq = true;
      expect(g.irqPreempts()).toBe(true);
      g.suspendCurrent();
      expect(g.takeNext(ctx)!.source.name).toBe('hi');
      expect(g.irqPreempts()).toBe(false); // a handler is not preempted
      g.current = null;
      expect(g.takeNext(ctx)).toBe(rxItem);
      expect(g.remainingCycles).toBe(40);
      expect(g.currentCycles).toBe(100);
      g.current = null;
      expect(g.takeNext(ctx)!.source.name).toBe('tasklet');
      expect(order).toEqual(['net_rx', 'hi', 'tasklet']);
    });

    it('a process item resumes only once the softirqs the handler raised are done (irq_exit runs do_softirq)', () => {
      const g = new GuestWork();
      const order: string[] = [];
      let irq = false;
      let rx = false;
      g.addSource(timed('hi', SOFTIRQ.HARDIRQ, () => irq, 10, order, () => ((irq = false), (rx = true))));
      g.addSource(timed('net_rx', SOFTIRQ.NET_RX, () => rx, 100, order, () => (rx = false)));
      g.addSource(timed('reader', SOFTIRQ.TASKLET, () => true, 1000, order, () => {}, 'process'));
      const readItem = g.takeNext(ctx)!;
      g.remainingCycles = 700;
      irq = true;
      expect(g.wantsCpu()).toBe(true);
      g.suspendCurrent();
      for (const name of ['hi', 'net_rx']) {
        expect(g.takeNext(ctx)!.source.name).toBe(name);
        g.current = null;
      }
      // The reader carries on with its own read, not a new one.
      expect(g.takeNext(ctx)).toBe(readItem);
      expect(g.remainingCycles).toBe(700);
      expect(order).toEqual(['reader', 'hi', 'net_rx']);
    });
  });
});
