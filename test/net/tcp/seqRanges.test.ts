import { describe, expect, it } from 'vitest';
import { SeqRanges } from '../../../src/net/tcp/seqRanges.ts';

describe('SeqRanges', () => {
  it('merges overlapping and adjacent ranges and counts only new segments', () => {
    const r = new SeqRanges();
    expect(r.add(10, 12)).toBe(2);
    expect(r.add(20, 25)).toBe(5);
    expect(r.add(12, 14)).toBe(2); // adjacent to [10,12)
    expect(r.add(11, 21)).toBe(6); // 14..20 new, bridges both
    expect(r.toArray()).toEqual([{ start: 10, end: 25 }]);
    expect(r.size).toBe(15);
    expect(r.add(15, 18)).toBe(0);
  });

  it('keeps ranges sorted and hands back the one that starts at a filled hole', () => {
    const r = new SeqRanges();
    r.add(30, 31);
    r.add(5, 7);
    r.add(18, 20);
    expect(r.toArray().map((x) => x.start)).toEqual([5, 18, 30]);
    expect(r.takeIfStartsAt(4)).toBeNull();
    expect(r.takeIfStartsAt(5)).toEqual({ start: 5, end: 7 });
    expect(r.size).toBe(3);
    expect(r.rangeCount).toBe(2);
  });
});
