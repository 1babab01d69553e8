// A fleet Dom0 VCPU's run time restarts at the end of warm-up (results count from there);
// vioemu_fleet_dom0_vcpu_busy_seconds_total keeps counting: its increase over the measured window equals the result.
import { describe, expect, it } from 'vitest';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('fleet Dom0 VCPU busy time across the end of warm-up', () => {
  it('vioemu_fleet_dom0_vcpu_busy_seconds_total increases by the result’s dom0VcpuPct × measured time', () => {
    const built = buildInProcess('scenarios/scale/rack-16x16.yaml', [
      'duration=500ms',
      'warmup=200ms',
      'net.fleet.topology.racks.0.hosts.0.count=2',
      'net.fleet.topology.racks.0.hosts.0.domus.0.count=2',
    ]);
    const { sim, sc } = built;
    sim.runUntil(sc.warmupNs);
    const labels = [['0', 'r0h0', '0'], ['0', 'r0h1', '0']];
    const at = labels.map((l) => sim.metrics.value('vioemu_fleet_dom0_vcpu_busy_seconds_total', l));
    sim.runUntil(sc.durationNs);
    const { out } = collectInProcess(built);
    const measuredS = (sc.durationNs - sc.warmupNs) / 1e9;
    labels.forEach((l, i) => {
      const r = out.hosts.find((h) => (h.result as { name?: string }).name === l[1])!.result as { dom0VcpuPct: number[] };
      const inc = sim.metrics.value('vioemu_fleet_dom0_vcpu_busy_seconds_total', l) - at[i]!;
      expect(r.dom0VcpuPct[0]!, l[1]).toBeGreaterThan(50);
      expect(inc, l[1]).toBeCloseTo((r.dom0VcpuPct[0]! / 100) * measuredS, 4);
    });
  });
});
