// Opt A on a whole host: a ping-pong pair that starts on two sockets is detected as an I/O pair, placed in one
// L2 by the wake path (a migration the results count by distance, as vcpu_migrate's are), and kept there by
// the tick's migration check.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { XenHost, type DomainSpec } from '../../src/xen/host.ts';
import { xenMetricDefs } from '../../src/xen/metricsDefs.ts';
import { CacheAwareCredit } from '../../src/xen/sched/cacheAware.ts';
import { XEN31_CREDIT } from '../../src/xen/sched/creditParams.ts';
import { PAPER_SUT } from '../../src/xen/topology.ts';
import { attachWorkload } from '../../src/xen/workloads.ts';

describe('Opt A on a host', () => {
  it('moves one of the pair into the other’s L2 once, counted as a cross-socket migration, and keeps them there', () => {
    const sim = new Sim({ seed: 3 });
    sim.metrics.define(xenMetricDefs);
    const sedf = { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true };
    const dom = (name: string, pcpu: number): DomainSpec => ({ name, weight: 256, cap: 0, vcpus: 1, affinity: [null], placement: [pcpu], sedf });
    const policy = new CacheAwareCredit(XEN31_CREDIT, { threshold: 150 }, { cacheAware: true, creditSteal: false });
    const h = new XenHost(sim, 0, { name: 'h', topology: PAPER_SUT, costs: { contextSwitchCycles: 4000 }, domains: [dom('dom0', 0), dom('domu', 7)] }, policy, { trace: false, perVcpuMetrics: false });
    attachWorkload(sim, h, 'dom0', { kind: 'ping-pong', peer: 'domu', burstCycles: 20_000, eventChannelCycles: 1500 }, 4096);
    sim.runUntil(300_000_000);
    h.finish(300_000_000);
    const [d0, du] = [h.vcpus[0]!, h.vcpus[1]!];
    const l2 = (p: number) => h.topology.l2Of(p);
    expect(l2(du.processor)).toBe(l2(d0.processor));
    // One of the two moved (each wakes the other), once: counted; and no tick pulled them apart again.
    const cross = h.stats.dom[0]!.migrations.crossSocket + h.stats.dom[1]!.migrations.crossSocket;
    expect(cross).toBe(1);
  });

  it('leaves a wakee that already shares its waker’s L2 on its own core (no bouncing within a 3-core L2)', () => {
    const sim = new Sim({ seed: 1 });
    sim.metrics.define(xenMetricDefs);
    const sedf = { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true };
    const dom = (name: string, pcpu: number, affinity: number[] | null): DomainSpec => ({ name, weight: 256, cap: 0, vcpus: 1, affinity: [affinity], placement: [pcpu], sedf });
    const policy = new CacheAwareCredit(XEN31_CREDIT, { threshold: 5 }, { cacheAware: true, creditSteal: false });
    const topology = { sockets: 1, l2PerSocket: 1, coresPerL2: 3, clockGHz: 2.33 };
    const h = new XenHost(sim, 0, { name: 'h', topology, costs: { contextSwitchCycles: 4000 }, domains: [dom('dom0', 0, [0]), dom('domu', 2, null), dom('hog', 1, [1])] }, policy, { trace: false, perVcpuMetrics: false });
    attachWorkload(sim, h, 'dom0', { kind: 'ping-pong', peer: 'domu', burstCycles: 20_000, eventChannelCycles: 1500 }, 4096);
    attachWorkload(sim, h, 'hog', { kind: 'cpu-hog', chunkCycles: 1_000_000 }, 8192);
    sim.runUntil(250_000_000);
    h.finish(250_000_000);
    const moves = (d: number) => Object.values(h.stats.dom[d]!.migrations).reduce((a, b) => a + b, 0);
    // The first allowed peer of PCPU0 is the hog's PCPU1: the wakee used to bounce 1 ↔ 2 at every wake.
    expect(moves(1)).toBe(0);
    expect(moves(2)).toBe(0);
    expect(h.vcpus[1]!.processor).toBe(2);
  });
});
