// vcpu_migrate's wake runs in context_saved, once the switch is done: a reschedule it raises on the PCPU that
// is switching (prev re-queued where it was, and now BOOST) must wait for the switch's cycles, as every other
// reschedule raised during a switch does. Before, it ran at the same nanosecond and cut the switch short; the
// next switch's cost overwrote what was left (found by a fuzz of the xen model with Opt A).
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { XenHost, type DomainSpec } from '../../src/xen/host.ts';
import { xenMetricDefs } from '../../src/xen/metricsDefs.ts';
import { CreditPolicy } from '../../src/xen/sched/credit.ts';
import type { SchedVcpu } from '../../src/xen/sched/policy.ts';
import { attachWorkload } from '../../src/xen/workloads.ts';

const CTX = 20_000;

/** The tick's pick finds another PCPU, the pick at the switch (context_saved) the VCPU's own: it stays and is woken here. */
class RepickHere extends CreditPolicy {
  private n = 0;
  override cpuPick(v: SchedVcpu): number {
    return this.n++ % 2 === 0 ? (v.processor + 1) % 2 : v.processor;
  }
}

describe('a migration that stays on its PCPU', () => {
  it('re-raises the schedule after the switch, so every switch is paid in full', () => {
    const sim = new Sim({ seed: 5 });
    sim.metrics.define(xenMetricDefs);
    const sedf = { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true };
    const domains: DomainSpec[] = [0, 1, 2].map((i) => ({ name: `hog${i}`, weight: 256, cap: 0, vcpus: 1, affinity: [null], placement: [i % 2], sedf }));
    const h = new XenHost(sim, 0, { name: 'h', topology: { sockets: 1, l2PerSocket: 1, coresPerL2: 2, clockGHz: 2 }, costs: { contextSwitchCycles: CTX }, domains }, new RepickHere(), { trace: false, perVcpuMetrics: false });
    domains.forEach((d, i) => attachWorkload(sim, h, d.name, { kind: 'cpu-hog', chunkCycles: 1_000_000 }, 4096 + 64 * i));
    sim.runUntil(300_000_000);
    h.finish(300_000_000);
    const switches = h.stats.dom.reduce((s, d) => s + d.contextSwitches, 0);
    expect(switches).toBeGreaterThan(20);
    const paid = h.stats.components.get('ctxsw')!.cycles;
    // At most the switches in progress at the end (one per PCPU) are part-paid.
    expect(switches * CTX - paid).toBeGreaterThanOrEqual(0);
    expect(switches * CTX - paid).toBeLessThanOrEqual(2 * CTX);
  });
});
