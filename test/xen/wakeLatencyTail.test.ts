// Wake-to-run latency quantiles past the log2 buckets: the buckets end at 2^39 ns (≈ 550 s) and the last
// one takes everything above 2^38 ns, so it has no upper edge. A quantile that falls in it is the largest
// latency seen, not 2^39 ns: a VCPU kept waiting 20 minutes (a long soak, a starved domain) must not be
// reported as having waited 550 s.
import { describe, expect, it } from 'vitest';
import type { XenHost } from '../../src/xen/host.ts';
import type { XenHostResult } from '../../src/xen/results.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

/** mixed-64 after 1 ms, its counters reset, with domain 1's first VCPU credited `latenciesNs`; its result and that VCPU. */
function domainWith(latenciesNs: number[]) {
  const built = buildInProcess('scenarios/sched/mixed-64.yaml', ['duration=1ms']);
  const host = built.hosts[0]!.persist!()[0] as XenHost;
  const v = host.vcpus.find((x) => x.domId === 1)!;
  built.sim.runUntil(built.sc.durationNs);
  host.stats.reset();
  for (const ns of latenciesNs) host.stats.wakeLatency(v as never, ns);
  const d = (collectInProcess(built).out.hosts[0]!.result as XenHostResult).domains[1]!;
  return { d, vi: host.domains[1]!.vcpus.indexOf(v.id) };
}

describe('wake latency quantiles in the last log2 bucket', () => {
  it('are the largest latency seen, not the bucket range end (2^39 ns)', () => {
    const twentyMinNs = 1_200e9;
    const { d, vi } = domainWith(new Array(10).fill(twentyMinNs));
    expect(d.wakeLatency.count).toBe(10);
    expect(d.wakeLatency.maxUs).toBe(1_200e6);
    expect(d.wakeLatency.p50Us).toBe(1_200e6);
    expect(d.wakeLatency.p99Us).toBe(1_200e6);
    expect(d.vcpuWakeLatency[vi]!.p99Us).toBe(1_200e6);
  });

  it('below the last bucket stay log2 upper edges', () => {
    const { d } = domainWith([...new Array(10).fill(100e9), 200e9]);
    // 100 s lies in (2^36, 2^37] ns.
    expect(d.wakeLatency.p50Us).toBe(2 ** 37 / 1000);
  });
});
