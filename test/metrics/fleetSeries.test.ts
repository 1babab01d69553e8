// Metric cardinality at 1024 DomUs (dc-1024): per host and per rack by
// default; per-DomU series (and per-VCPU ones) only when asked, and then still
// at most 50,000 Prometheus series. Counted as Prometheus counts them: a
// histogram is its buckets, +Inf, _sum and _count.
import { describe, expect, it } from 'vitest';
import { buildInProcess } from '../helpers/inProcess.ts';

function seriesAfterSampling(perDomU: boolean, perVcpu: boolean): { total: number; names: Map<string, number> } {
  // Samples every 1 ms, so within 4 ms every series a run makes exists.
  const { sc, sim } = buildInProcess('scenarios/scale/dc-1024.yaml', ['duration=4ms', 'warmup=0s', `net.fleet.metrics.perDomU=${perDomU}`, 'net.fleet.metrics.sampleEvery=1ms'], { perVcpuMetrics: perVcpu });
  sim.runUntil(sc.durationNs);
  const names = new Map<string, number>();
  let total = 0;
  for (const s of sim.metrics.snapshot()) {
    const n = s.buckets ? s.buckets.length + 2 : 1;
    total += n;
    names.set(s.name, (names.get(s.name) ?? 0) + n);
  }
  return { total, names };
}

describe('fleet metric series at 1024 DomUs', () => {
  it('per host and rack by default; per DomU when asked, still ≤ 50k series', () => {
    const plain = seriesAfterSampling(false, false);
    expect(plain.names.has('vioemu_fleet_domu_goodput_bytes_total')).toBe(false);
    // Scheduler series: Dom0 and the host's DomUs together ("domU"), not one per DomU.
    expect(plain.names.get('vioemu_domain_cpu_seconds_total')).toBe(2 * 64);
    expect(plain.total).toBeLessThan(10_000);
    const all = seriesAfterSampling(true, true);
    expect(all.names.get('vioemu_fleet_domu_goodput_bytes_total')).toBe(1024);
    expect(all.names.get('vioemu_domain_cpu_seconds_total')).toBe(64 + 1024);
    expect(all.total).toBeLessThanOrEqual(50_000);
  }, 60_000);

  it('the shared "domU" credit gauge is the sum of the host\'s DomUs\' credit (what the per-DomU series show), not a running total', () => {
    // The same run labelled both ways (labels do not change the simulation): 20 samples, 1 ms apart.
    const credit = (perDomU: boolean) => {
      const { sc, sim } = buildInProcess('scenarios/scale/rack-16x16.yaml', ['duration=20ms', 'warmup=0s', `net.fleet.metrics.perDomU=${perDomU}`, 'net.fleet.metrics.sampleEvery=1ms']);
      sim.runUntil(sc.durationNs);
      const byHost = new Map<string, number>();
      for (const s of sim.metrics.snapshot()) {
        if (s.name !== 'vioemu_sched_credit' || s.labels[1] === 'dom0') continue;
        byHost.set(s.labels[0]!, (byHost.get(s.labels[0]!) ?? 0) + s.value);
      }
      return byHost;
    };
    const shared = credit(false);
    const perDomU = credit(true);
    expect(shared.size).toBe(16);
    expect(shared).toEqual(perDomU);
    // Some host's DomUs hold credit at the end (the comparison is not of zeros).
    expect([...perDomU.values()].some((c) => c !== 0)).toBe(true);
  });
});
