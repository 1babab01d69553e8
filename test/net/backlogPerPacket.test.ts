// Dom0's netif_rx backlog (net.netdev.maxBacklog) drops packet by packet, as 2.6.18's netif_rx
// does for each skb net_tx_action submits: a run of the guest's ACKs that does not fit keeps its
// head and loses its tail. (It once dropped the whole run, so a backlog shorter than one poll's
// ACKs let no ACK through and the connections stalled.)
import { describe, expect, it } from 'vitest';
import { ackHead } from '../../src/net/dom0Netback.ts';
import { runInProcess } from '../helpers/inProcess.ts';

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
});
