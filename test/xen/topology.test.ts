import { describe, expect, it } from 'vitest';
import { PAPER_SUT, Topology } from '../../src/xen/topology.ts';

describe('Topology (paper SUT: 2 sockets × 2 L2 × 2 cores)', () => {
  const t = new Topology(PAPER_SUT);
  it('numbers PCPUs socket-major', () => {
    expect(t.pcpuCount).toBe(8);
    expect(t.places.map((p) => p.socket)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(t.places.map((p) => p.l2)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });
  it.each([
    [0, 0, 'same_core'],
    [0, 1, 'same_l2'],
    [0, 2, 'same_socket'],
    [3, 4, 'cross_socket'],
    [6, 7, 'same_l2'],
  ] as const)('distance(%i, %i) = %s', (a, b, d) => expect(t.distance(a, b)).toBe(d));
  it('converts cycles to ns at the clock rate, rounding up', () => {
    expect(t.cyclesToNs(2330)).toBe(1000);
    expect(t.cyclesToNs(2331)).toBe(1001);
    expect(t.l2Peers(5)).toEqual([4]);
  });
});
