// Property: with random workloads, PCPU busy time equals VCPU run time, a
// running VCPU always executes cycles (busy ns × GHz = cycles charged), and
// finished work items were charged exactly the cycles they asked for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { XenHost, type DomainSpec } from '../../src/xen/host.ts';
import { xenMetricDefs } from '../../src/xen/metricsDefs.ts';
import { CreditPolicy } from '../../src/xen/sched/credit.ts';
import { attachWorkload, type WorkloadSpec } from '../../src/xen/workloads.ts';

const workload = fc.oneof(
  fc.record({ kind: fc.constant('cpu-hog' as const), chunkCycles: fc.integer({ min: 1_000, max: 3_000_000 }) }),
  fc.record({ kind: fc.constant('io-wake' as const), intervalNs: fc.integer({ min: 20_000, max: 5_000_000 }), burstCycles: fc.integer({ min: 100, max: 2_000_000 }) }),
  fc.constant({ kind: 'idle' as const }),
);

describe('work conservation (property)', () => {
  it('busy time, run time and cycles agree for random workloads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ vcpus: fc.integer({ min: 1, max: 3 }), weight: fc.integer({ min: 1, max: 1024 }), workload }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 1000 }),
        (pcpus, doms, ctxCycles, seed) => {
          const sim = new Sim({ seed });
          sim.metrics.define(xenMetricDefs);
          const domains: DomainSpec[] = doms.map((d, i) => ({
            name: `d${i}`, weight: d.weight, cap: 0, vcpus: d.vcpus,
            affinity: new Array(d.vcpus).fill(null), placement: Array.from({ length: d.vcpus }, (_, k) => (i + k) % pcpus),
            sedf: { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true },
          }));
          const clockGHz = 2;
          const host = new XenHost(sim, 0, { name: 'h', topology: { sockets: 1, l2PerSocket: 1, coresPerL2: pcpus, clockGHz }, costs: { contextSwitchCycles: ctxCycles }, domains }, new CreditPolicy(), { trace: false, perVcpuMetrics: false });
          const completed = doms.map((d, i) => attachWorkload(sim, host, `d${i}`, d.workload as WorkloadSpec, 4096 + 64 * i));
          const endNs = 200_000_000;
          sim.runUntil(endNs);
          sim.advanceTo(endNs);
          host.finish(endNs);
          const st = host.stats;
          const busy = st.pcpuBusyNs.reduce((a, b) => a + b, 0);
          const run = st.vcpuRunNs.reduce((a, b) => a + b, 0);
          const domSum = st.dom.reduce((a, d) => a + d.cpuNs, 0);
          expect(run).toBe(busy);
          expect(domSum).toBe(busy);
          for (const b of st.pcpuBusyNs) expect(b).toBeLessThanOrEqual(endNs);
          // Cycles charged = busy ns × GHz, up to < 1 ns of rounding per work-item end.
          const cycles = [...st.components.values()].reduce((a, c) => a + c.cycles, 0);
          const slack = busy * clockGHz - cycles;
          expect(slack).toBeGreaterThanOrEqual(-1e-6 * busy);
          expect(slack).toBeLessThanOrEqual(clockGHz * st.segments + 1e-6 * busy);
          // Finished io bursts were charged exactly what they asked for.
          doms.forEach((d, i) => {
            if (d.workload.kind !== 'io-wake') return;
            const charged = st.domainComponents(i).get('io')?.cycles ?? 0;
            const asked = completed[i]!.completed() * d.workload.burstCycles;
            expect(charged).toBeGreaterThanOrEqual(asked - 1e-6);
            expect(charged - asked).toBeLessThan(d.workload.burstCycles * d.vcpus + 1e-6);
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
