// The host's component counters restart at the end of warm-up (results count from there);
// vioemu_component_cycles_total keeps counting: its increase over the measured window equals the result.
import { describe, expect, it } from 'vitest';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('component counters across the end of warm-up', () => {
  it('vioemu_component_cycles_total increases by the result’s cyclesByComponent (single-host net model)', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=600ms', 'warmup=200ms']);
    const { sim, sc } = built;
    sim.runUntil(sc.warmupNs);
    const comps = ['bridge', 'nic_rx', 'stack_rx', 'io_channel'];
    const at = new Map(comps.map((c) => [c, sim.metrics.value('vioemu_component_cycles_total', ['sut', c])]));
    sim.runUntil(sc.durationNs);
    const { summary } = collectInProcess(built);
    const byComp = summary.cyclesByComponent as Record<string, number>;
    for (const c of comps) {
      const inc = sim.metrics.value('vioemu_component_cycles_total', ['sut', c]) - at.get(c)!;
      expect(inc / byComp[c]!, c).toBeCloseTo(1, 2);
    }
  });
});
