// A host with many domains: each domain's workload timers took 64 actor ids from 4096 on, so an io-wake
// domain past the 16,319th asked for an id beyond the host's 2^20 and the run failed (RangeError, exit 1).
// They now take one id per VCPU; a host with more VCPUs than its ids hold is a scenario error.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import type { XenHostResult } from '../../src/xen/results.ts';
import { runInProcess } from '../helpers/inProcess.ts';

/** VCPU ids past the low range are 2^19 + 4096 + id, below the host's 2^20 (src/xen/actorLayout.ts). */
const MAX_HOST_VCPUS = 2 ** 19 - 4096;

describe('many domains on one host', () => {
  it('an io-wake domain after 16,321 others runs', () => {
    const idle = Array.from({ length: 16_321 }, (_, i) => `{ name: d${i} }`).join(', ');
    const r = runInProcess('scenarios/sched/cap.yaml', [
      'duration=3ms',
      'warmup=0',
      'xen.hosts.0.topology={ sockets: 1, l2PerSocket: 1, coresPerL2: 2 }',
      `xen.hosts.0.domains=[${idle}, { name: last, vcpus: 2, workload: { kind: io-wake, interval: 1ms } }]`,
    ]).out.hosts[0]!.result as XenHostResult;
    // Woken at 1 and 2 ms (the one at 3 ms has not run when the run ends), on each VCPU.
    expect(r.workloads!.at(-1)).toEqual({ domain: 'last', kind: 'io-wake', completed: 4 });
  }, 120_000);

  it('more VCPUs than a host can number is a scenario error naming the domains', () => {
    const n = Math.ceil((MAX_HOST_VCPUS + 1) / 64);
    const doms = Array.from({ length: n }, (_, i) => `{ name: d${i}, vcpus: 64 }`).join(', ');
    let err: unknown;
    try {
      loadScenario('scenarios/sched/cap.yaml', { sets: [`xen.hosts.0.domains=[${doms}]`] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(String((err as Error).message)).toContain('xen.hosts.0.domains');
    expect(String((err as Error).message)).toContain(`at most ${MAX_HOST_VCPUS}`);
  }, 120_000);
});
