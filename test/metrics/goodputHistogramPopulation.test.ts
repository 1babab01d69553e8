// The per-DomU goodput histogram describes the same population as the results' goodput distribution: the DomUs
// that receive some flow. In an incast only the aggregator receives data; observing the 79 senders too
// (a zero each per interval) put the dashboard's p50 and p99 near 0 while the result read 0.2 Gb/s.
import { describe, expect, it } from 'vitest';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('vioemu_fleet_domu_goodput_bytes_per_second', () => {
  it('observes each receiving DomU once per sample interval, and no other DomU (incast)', () => {
    const built = buildInProcess('scenarios/scale/incast-64.yaml', ['duration=300ms', 'warmup=100ms', 'net.fleet.traffic.0.fanIn=16', 'net.fleet.metrics.sampleEvery=10ms']);
    built.sim.runUntil(built.sc.durationNs);
    const { summary } = collectInProcess(built);
    const receiving = (summary.goodput as { receivingDomUs: number }).receivingDomUs;
    expect(receiving).toBe(1);
    let observations = 0;
    for (const s of built.sim.metrics.snapshot()) if (s.name === 'vioemu_fleet_domu_goodput_bytes_per_second') observations += s.value;
    // 30 samples of 10 ms (the first may come before any time has passed).
    expect(observations).toBeGreaterThanOrEqual(29 * receiving);
    expect(observations).toBeLessThanOrEqual(30 * receiving);
  });
});
