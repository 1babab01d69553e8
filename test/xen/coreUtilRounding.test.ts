// A host's coreUtilPct is of its busy time itself, not a sum of its domains' rounded shares: with
// hundreds of domains sharing one busy PCPU that sum passed 100% (100.012). The run's total over hosts
// is rounded as each host's is (a float sum of three-decimal numbers read 793.4849999999999).
import { describe, expect, it } from 'vitest';
import type { XenHostResult } from '../../src/xen/results.ts';
import { summarizeXenHosts } from '../../src/scenario/xenScenario.ts';
import { runInProcess } from '../helpers/inProcess.ts';

describe('coreUtilPct', () => {
  it('never passes PCPUs × 100% and agrees with the PCPUs busy time', () => {
    const doms = Array.from({ length: 400 }, (_, i) => `{ name: d${i}, workload: { kind: io-wake, interval: 1ms, burstCycles: 2800 } }`);
    for (const seed of [1, 2]) {
      const r = runInProcess('scenarios/sched/cap.yaml', [
        'duration=300ms',
        'warmup=50ms',
        `seed=${seed}`,
        'xen.hosts.0.topology={ sockets: 1, l2PerSocket: 1, coresPerL2: 1 }',
        `xen.hosts.0.domains=[{ name: dom0, workload: { kind: idle } }, ${doms.join(', ')}]`,
      ]).out.hosts[0]!.result as XenHostResult;
      // The PCPU is busy throughout; 400 domains share it.
      expect(r.pcpuBusyPct[0]).toBe(100);
      expect(r.domains.filter((d) => d.cpuPct > 0).length).toBeGreaterThan(300);
      expect(r.coreUtilPct).toBeLessThanOrEqual(100);
      expect(Math.abs(r.coreUtilPct - r.pcpuBusyPct.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(0.0005 * r.pcpuBusyPct.length + 1e-9);
    }
  });

  it('the total over hosts has three decimals, as each host', () => {
    const host = (coreUtilPct: number) => ({ host: 'h', scheduler: 'credit', measuredSeconds: 1, coreUtilPct, pcpuBusyPct: [], domains: [], components: [] }) as XenHostResult;
    expect(summarizeXenHosts([host(243.627), host(549.858)]).coreUtilPct).toBe(793.485);
    expect(summarizeXenHosts([host(97.682), host(596.035), host(299.537)]).coreUtilPct).toBe(993.254);
  });
});
