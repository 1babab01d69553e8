// Timer objects and the barrier's progress report, on their own.
import { describe, expect, it } from 'vitest';
import { SharedControl } from '../../src/kernel/barrier.ts';
import { Sim } from '../../src/kernel/sim.ts';
import { Every, metricsSampler, Once } from '../../src/kernel/timers.ts';

describe('timers', () => {
  it('Every fires after its first delay, then every period', () => {
    const sim = new Sim({ seed: 1 });
    const at: number[] = [];
    const e = new Every(sim, 3, 100, () => at.push(sim.nowNs), 30);
    sim.runUntil(400);
    expect(at).toEqual([30, 130, 230, 330]);
    expect(e.fired).toBe(4);
  });

  it('the metrics sampler pushes 1 ns before each multiple of its period, so a sample at the multiple sees it', () => {
    const sim = new Sim({ seed: 1 });
    const at: number[] = [];
    metricsSampler(sim, 3, 1000, () => at.push(sim.nowNs));
    sim.runUntil(3001);
    expect(at).toEqual([999, 1999, 2999]);
  });

  it('Once fires once', () => {
    const sim = new Sim({ seed: 1 });
    let n = 0;
    const o = new Once(sim, 3, 50, () => n++);
    sim.runUntil(1e6);
    expect(n).toBe(1);
    expect(o.fired).toBe(true);
  });
});

describe('barrier progress', () => {
  it('reports the least virtual time any partition reached and the events of all', () => {
    const c = new SharedControl(3);
    c.setProgress(0, 5_000, 10);
    c.setProgress(1, 2_000, 20);
    c.setProgress(2, 9_000, 30);
    expect(c.progress()).toEqual({ nowNs: 2_000, events: 60 });
  });

  it('a single partition agrees the window on its own: GVT is its next event, the stop as requested', () => {
    const c = new SharedControl(1);
    expect(c.sync(0, 1234, false)).toEqual({ gvtNs: 1234, stop: false });
    c.requestStop();
    expect(c.sync(0, 5678, false)).toEqual({ gvtNs: 5678, stop: true });
  });
});
