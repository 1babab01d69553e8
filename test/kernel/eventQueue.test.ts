import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type SimEvent } from '../../src/kernel/eventQueue.ts';

const ev = (timeNs: number, srcId: number, srcSeq: number): SimEvent => ({ timeNs, srcId, srcSeq, dstId: 0, msg: null, fn: null, cancelled: false });

describe('EventQueue', () => {
  it('pops in (timeNs, srcId, srcSeq) order for any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5 })), { maxLength: 300 }), (items) => {
        const q = new EventQueue();
        const seqs = new Map<number, number>();
        const all = items.map(([t, s]) => {
          const seq = seqs.get(s) ?? 0;
          seqs.set(s, seq + 1);
          return ev(t, s, seq);
        });
        for (const e of all) q.push(e);
        const sorted = [...all].sort((a, b) => a.timeNs - b.timeNs || a.srcId - b.srcId || a.srcSeq - b.srcSeq);
        const popped: SimEvent[] = [];
        for (let e = q.pop(); e; e = q.pop()) popped.push(e);
        expect(popped).toEqual(sorted);
      }),
    );
  });

  it('ties at one instant: by source actor, then in the order each source sent them (many at once, as bursts are)', () => {
    const q = new EventQueue();
    // One source's burst at one instant, then another source's, both behind a later event.
    q.push(ev(9, 0, 0));
    for (let k = 0; k < 40; k++) q.push(ev(5, 3, k));
    for (let k = 0; k < 40; k++) q.push(ev(5, 1, k));
    const popped: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) popped.push(`${e.timeNs}/${e.srcId}/${e.srcSeq}`);
    const want = [...Array(40).keys()].map((k) => `5/1/${k}`).concat([...Array(40).keys()].map((k) => `5/3/${k}`), ['9/0/0']);
    expect(popped).toEqual(want);
  });

  it('reports size and peeks the minimum', () => {
    const q = new EventQueue();
    q.push(ev(5, 0, 0));
    q.push(ev(3, 1, 0));
    expect(q.size).toBe(2);
    expect(q.peek()!.timeNs).toBe(3);
  });
});
