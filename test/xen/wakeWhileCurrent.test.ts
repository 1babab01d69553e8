// A VCPU that blocks and is woken again before its PCPU's schedule softirq
// has descheduled it is still that PCPU's curr: csched_vcpu_wake returns at
// once (no run queue, no boost, no tickle) and the pending schedule finds it
// runnable (SEDF keeps its own rule: sedf_wake finds it still queued). Queuing it instead let an idle PCPU steal it and run it while its
// own PCPU still did — found by fuzzing a fleet with zero-cycle costs, where
// a block and the next notification fall in the same nanosecond.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.ts';

describe('a wake while the VCPU is still its PCPU’s current', () => {
  it.each(['credit', 'cacheAware', 'creditSteal', 'sedf'])('runs to the end under %s with zero-cycle costs', (variant) => {
    const sets = [
      'net.fleet.topology.racks.0.hosts.0.count=2',
      'net.fleet.topology.racks.0.hosts.0.domus.0.count=1',
      'net.bridge=simple',
      'net.costs.eventChannelCycles=0',
      'net.costs.netbackTxCyclesPerPacket=0',
      'net.costs.nicTxCyclesPerPacket=0',
      'net.costs.simpleBridgeCyclesPerPacket=0',
      'duration=300ms',
      'warmup=100ms',
      ...(variant === 'credit' ? [] : variant === 'sedf' ? ['net.scheduler.policy=sedf'] : [`net.scheduler.${variant}=true`]),
    ];
    const r = runInProcess('scenarios/scale/rack-16x16.yaml', sets);
    expect(r.summary.throughputGbps as number).toBeGreaterThan(0);
  });
});

describe('a VCPU that blocks and is notified in the same nanosecond, before its PCPU reschedules', () => {
  // d0 on PCPU1 runs a burst; when it ends and the guest blocks, a timer of actor 0 (ordered before
  // PCPU1's schedule softirq in that nanosecond) queues the next burst and notifies it.
  it.each(['credit', 'sedf'] as const)('completes every burst under %s (it is neither lost nor run twice)', async (policyName) => {
    const { Sim } = await import('../../src/kernel/sim.ts');
    const { XenHost } = await import('../../src/xen/host.ts');
    const { xenMetricDefs } = await import('../../src/xen/metricsDefs.ts');
    const { CreditPolicy } = await import('../../src/xen/sched/credit.ts');
    const { SedfPolicy } = await import('../../src/xen/sched/sedf.ts');
    const { BurstQueue } = await import('../../src/xen/workloads.ts');
    const sim = new Sim({ seed: 3 });
    sim.metrics.define(xenMetricDefs);
    const policy = policyName === 'credit' ? new CreditPolicy() : new SedfPolicy();
    const h = new XenHost(sim, 0, {
      name: 'h',
      topology: { sockets: 1, l2PerSocket: 1, coresPerL2: 2, clockGHz: 1 },
      costs: { contextSwitchCycles: 0 },
      domains: [{ name: 'd0', weight: 256, cap: 0, vcpus: 1, affinity: [null], placement: [1], sedf: { periodNs: 20_000_000, sliceNs: 15_000_000, extratime: true } }],
    }, policy, { trace: false, perVcpuMetrics: false });
    const v = h.vcpus[0]!;
    const BURSTS = 5;
    let issued = 1;
    const poke = {
      go(): void {
        q.bursts++;
        h.notify(v.id, null);
      },
    };
    const q = new BurstQueue('burst', 'work', 2000, () => {
      if (issued < BURSTS) {
        issued++;
        sim.call(0, 0, poke, 'go');
      }
    });
    v.guest.addSource(q);
    sim.call(0, 1000, poke, 'go'); // burst 1
    sim.runUntil(100_000_000);
    expect(q.completed).toBe(BURSTS);
  });
});
