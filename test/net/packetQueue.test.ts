import { describe, expect, it } from 'vitest';
import { PacketQueue, type Run } from '../../src/net/packetQueue.ts';

describe('PacketQueue', () => {
  it('is a drop-tail FIFO of runs that merges contiguous pushes and splits pops', () => {
    const q = new PacketQueue(10, 2);
    expect(q.push(1, 0, 4)).toBe(4);
    expect(q.push(1, 4, 3)).toBe(3); // merges with the previous run
    expect(q.push(2, 100, 5)).toBe(3); // only 3 fit
    expect(q.length).toBe(10);
    const out: Run[] = [];
    expect(q.pop(5, out)).toBe(5);
    expect(out).toEqual([{ flow: 1, seq: 0, count: 5 }]);
    out.length = 0;
    expect(q.pop(100, out)).toBe(5);
    expect(out).toEqual([{ flow: 1, seq: 5, count: 2 }, { flow: 2, seq: 100, count: 3 }]);
    expect(q.length).toBe(0);
  });

  it('grows its run slots as needed', () => {
    const q = new PacketQueue(1000, 2);
    for (let f = 0; f < 50; f++) q.push(f, 0, 2);
    const out: Run[] = [];
    q.pop(1000, out);
    expect(out.map((r) => r.flow)).toEqual([...Array(50).keys()]);
  });
});
