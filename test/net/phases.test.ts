// Traffic phases on their own: each applied as it begins, each lasting its
// own duration, the list cycled over the whole run.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { PhaseCycler, type TrafficPhase } from '../../src/net/phases.ts';

const US = 1000;

describe('traffic phases', () => {
  it('applies each phase when it begins, for its own duration, cycling through the list', () => {
    const sim = new Sim({ seed: 1 });
    const phases: TrafficPhase[] = [
      { durationNs: 10 * US, active: true, messageBytes: 1000 },
      { durationNs: 5 * US, active: false, messageBytes: 1000 },
      { durationNs: 20 * US, active: true, messageBytes: 64 },
    ];
    const seen: [number, boolean, number][] = [];
    const c = new PhaseCycler(sim, 9, phases, (p) => seen.push([sim.nowNs / US, p.active, p.messageBytes]));
    sim.runUntil(80 * US);
    expect(seen).toEqual([
      [0, true, 1000],
      [10, false, 1000],
      [15, true, 64],
      [35, true, 1000],
      [45, false, 1000],
      [50, true, 64],
      [70, true, 1000],
    ]);
    expect(c.entered).toBe(7);
  });

  it('no phases: nothing is applied and no timer runs', () => {
    const sim = new Sim({ seed: 1 });
    const c = new PhaseCycler(sim, 9, [], () => {
      throw new Error('applied');
    });
    expect(sim.runUntil(1e9)).toBe(0);
    expect(c.entered).toBe(0);
  });
});
