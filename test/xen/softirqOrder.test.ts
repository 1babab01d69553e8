// GuestWork runs softirq sources as __do_softirq does: a pass takes what is
// pending when it starts, in softirq-number order; a handler with budget left
// (continuing) goes on first; process work only when no softirq is pending;
// inline work (a synchronous dev_queue_xmit from inside the handler) runs
// right after the item that queued it, before the handler polls again.
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

  it('a handler that is still continuing runs again before the rest of the pass', () => {
    const g = new GuestWork();
    const order: string[] = [];
    let chunks = 3;
    g.addSource(src('hi', SOFTIRQ.HARDIRQ, () => chunks === 2, () => order.push('hi')));
    g.addSource(src('net_rx', SOFTIRQ.NET_RX, () => chunks > 0, () => (order.push('net_rx'), chunks--), () => chunks > 0));
    for (let i = 0; i < 4; i++) {
      if (!g.takeNext(ctx)) break;
      g.current = null;
    }
    expect(order).toEqual(['net_rx', 'net_rx', 'net_rx']);
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
});
