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
