// Dom0's netif_rx backlog (net.netdev.maxBacklog) drops packet by packet, as 2.6.18's netif_rx
// does for each skb net_tx_action submits: a run of the guest's ACKs that does not fit keeps its
// head and loses its tail. (It once dropped the whole run, so a backlog shorter than one poll's
// ACKs let no ACK through and the connections stalled.)
import { describe, expect, it } from 'vitest';
import { ackHead } from '../../src/net/dom0Netback.ts';
import type { AckOut } from '../../src/net/receiverStack.ts';
import type { SutCounters } from '../../src/net/sut.ts';
import { buildInProcess, runInProcess } from '../helpers/inProcess.ts';

interface Summary {
  throughputGbps: number;
  drops: { backlog: number };
}
const run = (sets: string[]) => runInProcess('scenarios/paper/fig3-domu.yaml', ['duration=600ms', 'warmup=200ms', ...sets]).summary as unknown as Summary;

describe("Dom0's backlog drops per packet", () => {
  it('the head of a run of ACKs is the first k packets as the sender reads them', () => {
    // From ack 10: 4 ACKs advancing to 18 (steps of 2), then 2 duplicates of 18.
    const a = { flow: 3, fromSeq: 10, decision: { batches: [{ ackSeq: 18, ackPackets: 6, dupAcks: 2 }], ackPackets: 6, ackSeq: 18, rwndSegs: 40, sack: [20, 22] } };
    const h = ackHead(a, 2);
    expect(h.decision).toEqual({ batches: [{ ackSeq: 14, ackPackets: 2, dupAcks: 0 }], ackPackets: 2, ackSeq: 14, rwndSegs: 40 });
    expect(h.fromSeq).toBe(10);
    expect(ackHead(a, 5).decision.batches).toEqual([{ ackSeq: 18, ackPackets: 5, dupAcks: 1 }]);
  });

  it('a backlog shorter than a poll\'s ACKs loses their tails, not every ACK: the flows keep going', () => {
    const r = run(['net.netdev.maxBacklog=10']);
    expect(r.drops.backlog).toBeGreaterThan(0);
    // Whole runs dropped: 0.04 Gbps (a stall broken only by RTOs); per packet about 0.6.
    expect(r.throughputGbps).toBeGreaterThan(0.3);
  });

  it('every ACK packet the guests push reaches the wire, waits, or is counted dropped — also those netif_rx finds no room for at all', () => {
    // maxBacklog 1: after a run's first packet the backlog is full, and every later run of the action is dropped whole.
    for (const maxBacklog of [1, 10]) {
      const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=150ms', 'warmup=0ms', `net.netdev.maxBacklog=${maxBacklog}`]);
      const parts = built.hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
      // Private state read for the balance: the pending TX requests, each CPU's backlog, the wire hook.
      const dom0 = parts.guests!.dom0 as unknown as {
        guestTx(g: number, acks: readonly AckOut[], v: unknown): void;
        w: { sendToWire(acks: AckOut[]): void };
        txPending: AckOut[][];
        netback: { cpuOf: Map<unknown, { backlogPackets: number }> };
        backlogDrops: number;
      };
      const packets = (acks: readonly AckOut[]) => acks.reduce((s, a) => s + a.decision.ackPackets, 0);
      let pushed = 0;
      let wired = 0;
      const guestTx = dom0.guestTx.bind(dom0);
      dom0.guestTx = (g, acks, v) => {
        pushed += packets(acks);
        guestTx(g, acks, v);
      };
      const sendToWire = dom0.w.sendToWire;
      dom0.w.sendToWire = (acks) => {
        wired += packets(acks);
        sendToWire(acks);
      };
      built.sim.runUntil(built.sc.durationNs);
      const waiting = dom0.txPending.reduce((s, q) => s + packets(q), 0) + [...dom0.netback.cpuOf.values()].reduce((s, c) => s + c.backlogPackets, 0);
      expect(dom0.backlogDrops, `maxBacklog ${maxBacklog}`).toBeGreaterThan(0);
      expect(wired, `maxBacklog ${maxBacklog}`).toBeGreaterThan(0);
      // What is left is at most one process_backlog poll between its quota and its completion (weight 64).
      const unaccounted = pushed - wired - dom0.backlogDrops - waiting;
      expect(unaccounted, `maxBacklog ${maxBacklog}`).toBeGreaterThanOrEqual(0);
      expect(unaccounted, `maxBacklog ${maxBacklog}`).toBeLessThanOrEqual(64);
    }
  });
});
