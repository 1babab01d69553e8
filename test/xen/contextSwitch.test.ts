// Xen's context_switch is lazy (x86 domain.c): the idle VCPU runs on whatever
// state is loaded, so a VCPU picked again after idle on the same PCPU costs no
// __context_switch; only loading another VCPU's state does. And the time a
// policy is told a VCPU ran (sched_start_abs) does not restart at the end of
// warm-up, where only the statistics do.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { XenHost, type DomainSpec } from '../../src/xen/host.ts';
import { xenMetricDefs } from '../../src/xen/metricsDefs.ts';
import { CreditPolicy } from '../../src/xen/sched/credit.ts';
import { attachWorkload, type WorkloadSpec } from '../../src/xen/workloads.ts';
import { runInProcess } from '../helpers/inProcess.ts';

const CTX_CYCLES = 4000;

function host(workloads: WorkloadSpec[], policy = new CreditPolicy()) {
  const sim = new Sim({ seed: 7 });
  sim.metrics.define(xenMetricDefs);
  const domains: DomainSpec[] = workloads.map((_, i) => ({
    name: `d${i}`, weight: 256, cap: 0, vcpus: 1, affinity: [null], placement: [0],
    sedf: { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true },
  }));
  const h = new XenHost(sim, 0, { name: 'h', topology: { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 }, costs: { contextSwitchCycles: CTX_CYCLES }, domains }, policy, { trace: false, perVcpuMetrics: false });
  const done = workloads.map((w, i) => attachWorkload(sim, h, `d${i}`, w, 4096 + 64 * i));
  return { sim, h, done };
}

describe('lazy context switch', () => {
  it('a VCPU that wakes alone on its PCPU pays one switch, not one per wake', () => {
    const { sim, h, done } = host([{ kind: 'io-wake', intervalNs: 1_000_000, burstCycles: 20_000 }]);
    sim.runUntil(100_000_000);
    h.finish(100_000_000);
    expect(done[0]!.completed()).toBeGreaterThan(90);
    expect(h.stats.dom[0]!.contextSwitches).toBe(1);
    expect(h.stats.components.get('ctxsw')!.cycles).toBe(CTX_CYCLES);
  });

  it('two VCPUs taking turns on one PCPU pay a switch each time the other one ran last', () => {
    const { sim, h, done } = host([
      { kind: 'io-wake', intervalNs: 1_000_000, burstCycles: 20_000 },
      { kind: 'io-wake', intervalNs: 1_000_000, burstCycles: 20_000 },
    ]);
    sim.runUntil(100_000_000);
    h.finish(100_000_000);
    const wakes = done[0]!.completed() + done[1]!.completed();
    const switches = h.stats.dom[0]!.contextSwitches + h.stats.dom[1]!.contextSwitches;
    expect(wakes).toBeGreaterThan(180);
    // Alternating wakes: nearly every burst follows the other domain's.
    expect(switches).toBeGreaterThan(0.9 * wakes);
    expect(switches).toBeLessThanOrEqual(wakes + 2);
    expect(h.stats.components.get('ctxsw')!.cycles).toBe(switches * CTX_CYCLES);
  });
});

/** mixed-64 (64 VCPUs of hogs, I/O wakers and ping-pongs on 8 PCPUs) for 300 ms: switches, and switch cycles not paid. */
function unpaidSwitches(sets: string[]): { switches: number; unpaidCycles: number } {
  const { summary } = runInProcess('scenarios/sched/mixed-64.yaml', ['duration=300ms', 'warmup=0s', ...sets]);
  const [h] = summary.hosts as { domains: { contextSwitches: number; vcpuCycles: Record<string, number>[] }[] }[];
  let switches = 0;
  let cycles = 0;
  for (const d of h!.domains) {
    switches += d.contextSwitches;
    for (const v of d.vcpuCycles) cycles += v.ctxsw ?? 0;
  }
  return { switches, unpaidCycles: switches * 4000 - cycles };
}

describe('an atomic context switch', () => {
  // At most the switches still in progress at the end (one per PCPU) are part-paid.
  it.each([
    ['a reschedule raised during it runs once it is done (schedule() switches with interrupts off): wakes and slice ends', []],
    // Opt A sends the VCPU its wakee preempts to the wakee's old PCPU, often this one: the prev's wake in
    // vcpu_migrate tickles this PCPU before its switch has started (no completion yet to time it by).
    ['a reschedule raised inside schedule() itself waits too (a migrated prev woken on this PCPU, Opt A)', ['xen.hosts.0.scheduler.cacheAware=true']],
  ])('is paid in full: %s', (_why, sets) => {
    const { switches, unpaidCycles } = unpaidSwitches(sets as string[]);
    expect(switches).toBeGreaterThan(50_000);
    expect(unpaidCycles).toBeGreaterThanOrEqual(0);
    expect(unpaidCycles).toBeLessThanOrEqual(8 * 4000);
  });
});

describe('the run time a policy is told', () => {
  it('is the whole run since the VCPU was picked, across the end of warm-up', () => {
    const policy = new CreditPolicy();
    const told: { nowNs: number; ranNs: number }[] = [];
    const schedule = policy.schedule.bind(policy);
    policy.schedule = (pcpu, prev, runnable, nowNs, ranNs) => {
      if (prev) told.push({ nowNs, ranNs });
      return schedule(pcpu, prev, runnable, nowNs, ranNs);
    };
    const { sim, h } = host([{ kind: 'cpu-hog', chunkCycles: 1_000_000_000 }], policy);
    sim.runUntil(45_000_000);
    h.resetStats();
    sim.runUntil(100_000_000);
    expect(told.length).toBeGreaterThan(1);
    // A lone hog is picked again at each schedule: every call reports the time since the previous one.
    for (let i = 1; i < told.length; i++) expect(told[i]!.ranNs).toBe(told[i]!.nowNs - told[i - 1]!.nowNs);
    expect(told.some((t, i) => i > 0 && told[i - 1]!.nowNs < 45_000_000 && t.nowNs > 45_000_000)).toBe(true);
  });
});
