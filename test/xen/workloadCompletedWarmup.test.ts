// A workload's `completed` counts the measured window, as every other result field does: what completed
// during the warm-up is left out (it counted the whole run, so an io-wake domain reported more bursts
// than the cycles and CPU share it was charged could hold).
import { describe, expect, it } from 'vitest';
import type { XenHostResult } from '../../src/xen/results.ts';
import { runInProcess } from '../helpers/inProcess.ts';

describe('workload completed count', () => {
  it('io-wake: bursts completed after the warm-up match the bursts posted and the io cycles charged', () => {
    // dom0 is woken every 1 ms for a 20,000-cycle burst; 300 ms warm-up, 1 s run: 700 bursts measured.
    const r = runInProcess('scenarios/sched/boost.yaml', ['duration=1s', 'warmup=300ms']).out.hosts[0]!.result as XenHostResult;
    const done = r.workloads!.find((w) => w.domain === 'dom0')!.completed;
    expect(done).toBeGreaterThanOrEqual(699);
    expect(done).toBeLessThanOrEqual(700);
    const io = r.domains.find((d) => d.name === 'dom0')!.vcpuCycles[0]!.io!;
    expect(Math.abs(io - done * 20_000)).toBeLessThanOrEqual(20_000);
  });

  it('ping-pong: turns completed after the warm-up match the cycles charged', () => {
    const r = runInProcess('scenarios/sched/ping-pong.yaml', ['duration=500ms', 'warmup=200ms']).out.hosts[0]!.result as XenHostResult;
    const done = r.workloads!.find((w) => w.kind === 'ping-pong')!.completed;
    const turn = 20_000 + 1500;
    const cycles = r.components.find((c) => c.name === 'pingpong')!.cycles;
    expect(Math.abs(cycles / turn - done)).toBeLessThanOrEqual(2);
  });

  it('without a warm-up the count is of the whole run', () => {
    const r = runInProcess('scenarios/sched/boost.yaml', ['duration=500ms', 'warmup=0']).out.hosts[0]!.result as XenHostResult;
    // The burst posted at 500 ms is still to run when the run ends.
    expect(r.workloads!.find((w) => w.domain === 'dom0')!.completed).toBeGreaterThanOrEqual(499);
    expect(r.workloads!.find((w) => w.domain === 'dom0')!.completed).toBeLessThanOrEqual(500);
  });
});
