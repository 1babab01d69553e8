// The kernel's hot paths change speed, never order: cancelled timers swept
// out of the heap, sequence counters and actors in per-host arrays (with a
// Map for ids outside them). Checked against plain reference models.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type SimEvent } from '../../src/kernel/eventQueue.ts';
import { actorId } from '../../src/kernel/model.ts';
import { Sim } from '../../src/kernel/sim.ts';

const ev = (timeNs: number, srcId: number, srcSeq: number, cancelled = false): SimEvent => ({ timeNs, srcId, srcSeq, dstId: 0, msg: null, fn: null, cancelled });
const order = (a: SimEvent, b: SimEvent) => a.timeNs - b.timeNs || a.srcId - b.srcId || a.srcSeq - b.srcSeq;

describe('EventQueue.dropCancelled', () => {
  it('leaves the live events, popped in key order, whatever was cancelled and when', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean()), { maxLength: 300 }),
        (items) => {
          const q = new EventQueue();
          const seqs = new Map<number, number>();
          const all: SimEvent[] = [];
          for (const [t, s, cancel, sweepAfter] of items) {
            const seq = seqs.get(s) ?? 0;
            seqs.set(s, seq + 1);
            const e = ev(t, s, seq);
            all.push(e);
            q.push(e);
            if (cancel) all[(t * 7 + seq) % all.length]!.cancelled = true;
            if (sweepAfter) q.dropCancelled();
          }
          q.dropCancelled();
          expect(q.size).toBe(all.filter((e) => !e.cancelled).length);
          const popped: SimEvent[] = [];
          for (let e = q.pop(); e; e = q.pop()) popped.push(e);
          expect(popped).toEqual(all.filter((e) => !e.cancelled).sort(order));
        },
      ),
    );
  });
});

describe('Sim: cancelled timers', () => {
  it('fire exactly the live timers in key order, and keep the heap near the live count, under heavy re-arming', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 4000 }), (ops) => {
        const sim = new Sim({ seed: 1 });
        const fired: number[] = [];
        // Four actors each re-arm one timer (cancel, then set again), like a TCP retransmit timer per ACK.
        const armed: (ReturnType<Sim['timer']> | null)[] = [null, null, null, null];
        const expected = new Map<number, { timeNs: number; srcId: number; seq: number; tag: number }>();
        const seqs = [0, 0, 0, 0];
        ops.forEach(([actor, delay], tag) => {
          if (armed[actor]) sim.cancel(armed[actor]!);
          expected.delete(actor);
          armed[actor] = sim.timer(actor, delay, () => fired.push(tag));
          expected.set(actor, { timeNs: delay, srcId: actor, seq: seqs[actor]!++, tag });
        });
        // At most the four live timers plus the cancelled ones since the last sweep (≤ 256, or half the heap).
        const size = (sim as unknown as { queue: EventQueue }).queue.size;
        expect(size).toBeLessThanOrEqual(Math.max(4 + 257, 2 * 4 + 2));
        sim.runUntil(Infinity);
        const want = [...expected.values()].sort((a, b) => a.timeNs - b.timeNs || a.srcId - b.srcId || a.seq - b.seq).map((x) => x.tag);
        expect(fired).toEqual(want);
      }),
      { numRuns: 50 },
    );
  });

  it('cancelling twice, or after the timer fired, is harmless', () => {
    const sim = new Sim({ seed: 1 });
    const fired: string[] = [];
    const a = sim.timer(0, 10, () => fired.push('a'));
    sim.runUntil(20);
    sim.cancel(a);
    sim.cancel(a);
    const b = sim.timer(0, 5, () => fired.push('b'));
    sim.cancel(b);
    sim.cancel(b);
    sim.timer(0, 6, () => fired.push('c'));
    sim.runUntil(Infinity);
    expect(fired).toEqual(['a', 'c']);
  });
});

describe('Sim: per-source sequence numbers and actors, inside and outside the dense ranges', () => {
  const ids = [0, 1, 63, actorId(1, 5), actorId(3, (1 << 16) - 1), actorId(3, 1 << 16), actorId(2, (1 << 20) - 1), actorId(4095, 7), 4096 * 2 ** 20 + 3, 2 ** 40, 2 ** 52 + 1];

  it('numbers each source from 0, independently of the others', () => {
    // Every message crosses to partition 1, so the outbox shows the sequence numbers.
    const sim = new Sim({ seed: 1, partition: 0, partitions: 2, partitionOf: (id) => (id === -7 ? 1 : 0), lookaheadNs: 1 });
    const sent: [number, number][] = [];
    for (let round = 0; round < 3; round++) for (const id of ids) sim.send(id, -7, 1, null);
    for (const r of sim.takeOutbox(1)) sent.push([r.srcId, r.srcSeq]);
    const want: [number, number][] = [];
    for (let round = 0; round < 3; round++) for (const id of ids) want.push([id, round]);
    expect(sent).toEqual(want);
  });

  it('delivers to actors registered under any of those ids, refuses a second one, names an unknown one', () => {
    const sim = new Sim({ seed: 1 });
    const got: number[] = [];
    for (const id of ids) sim.register({ id, receive: () => got.push(id) });
    for (const id of ids) expect(() => sim.register({ id, receive: () => {} })).toThrow(/registered twice/);
    for (const id of [...ids].reverse()) sim.send(0, id, 1, null);
    sim.runUntil(Infinity);
    expect(got).toEqual([...ids].reverse());
    sim.send(0, actorId(1, 6), 1, null);
    expect(() => sim.runUntil(Infinity)).toThrow(`message to unknown actor ${actorId(1, 6)} from 0`);
    sim.send(0, actorId(9, 1 << 17), 1, null);
    expect(() => sim.runUntil(Infinity)).toThrow(/unknown actor/);
  });
});
