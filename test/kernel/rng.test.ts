import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/kernel/rng.ts';

describe('Rng', () => {
  it('is a pure function of (seed, actor id)', () => {
    const a = new Rng(7, 42);
    const b = new Rng(7, 42);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
  });

  it('gives different streams to different actors and seeds', () => {
    expect(new Rng(1, 1).nextU32()).not.toBe(new Rng(1, 2).nextU32());
    expect(new Rng(1, 1).nextU32()).not.toBe(new Rng(2, 1).nextU32());
  });

  it('is roughly uniform and has the right exponential mean', () => {
    const r = new Rng(3, 9);
    let sum = 0;
    const n = 100_000;
    const bins = new Array(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = r.next();
      bins[Math.floor(x * 10)]++;
      sum += r.expInt(1000);
    }
    for (const b of bins) expect(Math.abs(b / n - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(sum / n / 1000 - 1)).toBeLessThan(0.02);
  });
});
