// A cpu-hog's `completed` is the chunks it finished, so that it agrees with the CPU it was given
// (it read 0 for a hog that had a whole PCPU).
import { describe, expect, it } from 'vitest';
import type { XenHostResult } from '../../src/xen/results.ts';
import { runInProcess } from '../helpers/inProcess.ts';

describe('cpu-hog completed count', () => {
  it('is the chunks finished: their cycles are the hog cycles charged, up to a chunk per VCPU in progress at either end of the window', () => {
    for (const [chunk, sets] of [
      [1_000_000, []],
      [50_000, ['xen.hosts.0.domains.1.workload.chunkCycles=50000', 'xen.hosts.0.domains.1.vcpus=3']],
    ] as const) {
      const r = runInProcess('scenarios/sched/cap.yaml', ['duration=1s', ...sets]).out.hosts[0]!.result as XenHostResult;
      const d = r.domains.find((x) => x.name === 'capped')!;
      const hog = d.vcpuCycles.reduce((a, c) => a + (c.hog ?? 0), 0);
      const done = r.workloads!.find((w) => w.domain === 'capped')!.completed;
      expect(d.cpuPct).toBeGreaterThan(30);
      expect(Math.abs(hog - done * chunk)).toBeLessThan(chunk * d.vcpuCycles.length + 1);
    }
  });
});
