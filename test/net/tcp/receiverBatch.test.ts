// Property: onData over a batch of segments sends the same ACK packets (same
// cumulative values, same order) and ends in the same state as one call per segment.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/kernel/rng.ts';
import type { AckBatch, AckDecision } from '../../../src/net/tcp/ackBatch.ts';
import { TcpReceiver } from '../../../src/net/tcp/receiver.ts';

const MSS = 1448;

/** Per-packet ack values encoded by a run list, starting after `prevAck`. */
function flatten(prevAck: number, batches: readonly AckBatch[]): number[] {
  const values: number[] = [];
  let prev = prevAck;
  for (const b of batches) {
    const adv = b.ackPackets - b.dupAcks;
    for (let i = 1; i <= adv; i++) values.push(prev + Math.floor((i * (b.ackSeq - prev)) / adv));
    for (let i = 0; i < b.dupAcks; i++) values.push(b.ackSeq);
    prev = b.ackSeq;
  }
  return values;
}

describe('TcpReceiver.onData batch equivalence', () => {
  it.each([1, 2, 3, 4, 5, 6])('seed %i: batch == one call per segment over 600 random arrivals', (seed) => {
    const rng = new Rng(seed, 99);
    const opts = { rcvBufBytes: 64 * MSS, advWinScale: 0, quickAckSegs: 5 };
    const batched = new TcpReceiver(opts);
    const single = new TcpReceiver(opts);
    let nowNs = 0;
    let lastAck = 0;
    for (let step = 0; step < 600; step++) {
      nowNs += rng.intBetween(1, 30_000_000);
      const st = batched.stats();
      const roll = rng.next();
      if (roll < 0.1) {
        const bytes = rng.intBetween(0, 40 * MSS);
        const a = batched.read(bytes, nowNs);
        const b = single.read(bytes, nowNs);
        expect(a).toEqual(b);
        if (a.ack) lastAck = a.ack.ackSeq;
      } else if (roll < 0.2) {
        const a = batched.onDelackTimer(nowNs);
        expect(a).toEqual(single.onDelackTimer(nowNs));
        if (a) lastAck = a.ackSeq;
      } else {
        // A contiguous run inside the advertised window (a correct sender never exceeds it),
        // starting a little below rcv_nxt at times (retransmissions) or past a hole.
        const edge = st.lastAckSeq + st.rwndSegs;
        const first = Math.max(0, st.rcvNxt + rng.intBetween(-4, 8));
        if (first >= edge) continue;
        const count = rng.intBetween(1, Math.min(24, edge - first));
        const d = batched.onData(first, count, nowNs);
        const perSeg: number[] = [];
        let prev = lastAck;
        let last: AckDecision | null = null;
        for (let i = 0; i < count; i++) {
          const e = single.onData(first + i, 1, nowNs);
          perSeg.push(...flatten(prev, e.batches));
          prev = e.ackSeq;
          if (e.ackPackets > 0) last = e;
        }
        expect(flatten(lastAck, d.batches)).toEqual(perSeg);
        if (last) expect(d.rwndSegs).toBe(last.rwndSegs);
        lastAck = d.ackSeq;
      }
      expect(batched.stats()).toEqual(single.stats());
      expect(batched.delackDeadlineNs()).toBe(single.delackDeadlineNs());
    }
    expect(batched.stats().oooSegs).toBeGreaterThan(50);
    expect(batched.stats().rcvNxt).toBeGreaterThan(500);
  });
});
