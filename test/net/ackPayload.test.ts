import { describe, expect, it } from 'vitest';
import { ackPackets, splitAck, type AckPayload } from '../../src/net/ackPayload.ts';
import { PacketQueue, type Run } from '../../src/net/packetQueue.ts';

/** Per-packet ack values of a payload, as the sender reads the equal steps. */
function perPacket(p: AckPayload): number[] {
  const out: number[] = [];
  let prev = p.fromSeq;
  for (let i = 0; i < p.batches.length; i += 3) {
    const [ackSeq, n, dups] = [p.batches[i]!, p.batches[i + 1]!, p.batches[i + 2]!];
    const adv = n - dups;
    for (let k = 1; k <= adv; k++) out.push(prev + Math.floor((k * (ackSeq - prev)) / adv));
    for (let k = 0; k < dups; k++) out.push(ackSeq);
    prev = ackSeq;
  }
  return out;
}

describe('ACK payloads', () => {
  const make = (): AckPayload => ({ fromSeq: 10, batches: [20, 5, 0, 20, 3, 3, 26, 3, 0], rwndSegs: 40, sack: [30, 32] });

  it('split at every point keeps the packets, their order and the last values', () => {
    const whole = perPacket(make());
    expect(ackPackets(make())).toBe(11);
    for (let k = 1; k < 11; k++) {
      const tail = make();
      const head = splitAck(tail, k);
      expect(ackPackets(head) + ackPackets(tail), `k=${k}`).toBe(11);
      const joined = [...perPacket(head), ...perPacket(tail)];
      expect(joined.length).toBe(whole.length);
      // Values never go backwards, the split point carries the head's last value, the end is unchanged.
      for (let i = 1; i < joined.length; i++) expect(joined[i]!).toBeGreaterThanOrEqual(joined[i - 1]!);
      expect(joined[joined.length - 1]).toBe(whole[whole.length - 1]);
      expect(tail.fromSeq).toBe(perPacket(head).at(-1));
      expect(head.sack).toBeUndefined();
      expect(tail.sack).toEqual([30, 32]);
    }
  });

  it('a queue never merges ACK runs, keeps the head that fits and splits on partial dequeue', () => {
    const q = new PacketQueue(12);
    expect(q.push(1, 0, 4)).toBe(4);
    const a = make();
    expect(q.push(2, 0, 11, a)).toBe(8); // 8 of 11 fit: `a` now holds the dropped 3
    expect(ackPackets(a)).toBe(3);
    expect(q.push(1, 4, 1)).toBe(0);
    const out: Run[] = [];
    expect(q.pop(6, out)).toBe(6);
    expect(out[0]).toEqual({ flow: 1, seq: 0, count: 4 });
    expect(out[1]!.count).toBe(2);
    expect(ackPackets(out[1]!.ack!)).toBe(2);
    out.length = 0;
    expect(q.pop(100, out)).toBe(6);
    expect(ackPackets(out[0]!.ack!)).toBe(6);
    expect(q.length).toBe(0);
  });
});
