// A model pushes its counters to the metrics every sample period (100 ms by
// default), 1 ns before each multiple. A run whose end is not a multiple (or
// that is stopped) used to end its metric series at the last push, up to a
// period before its end: at the end of a 250 ms fleet run, /metrics read
// about a fifth less goodput, drops, retransmits and switch bytes than the
// result. The hosts now push once more at the end: final counters equal the
// result's (a run without warm-up counts both from 0).
import { describe, expect, it } from 'vitest';
import type { MetricSink } from '../../src/kernel/metricSink.ts';
import type { FleetHostResult } from '../../src/net/fleet/fleetStats.ts';
import type { SwitchResult } from '../../src/net/fleet/switchHost.ts';
import { runInProcess } from '../helpers/inProcess.ts';

function total(metrics: MetricSink, name: string, match: (labels: readonly string[]) => boolean = () => true): number {
  return metrics.snapshot().filter((u) => u.name === name && match(u.labels)).reduce((a, u) => a + u.value, 0);
}

describe('metric counters at the end of a run equal its result', () => {
  it.each(['250ms', '300ms'])('a fleet run of %s', (duration) => {
    const run = runInProcess('scenarios/soak/fleet-soak.yaml', [`duration=${duration}`, 'warmup=0s']);
    const m = run.sim.metrics;
    const hosts = run.out.hosts.map((h) => h.result as FleetHostResult | SwitchResult).filter((r): r is FleetHostResult => r.role === 'fleet-host');
    const switches = run.out.hosts.map((h) => h.result as FleetHostResult | SwitchResult).filter((r): r is SwitchResult => r.role === 'switch');
    const goodput = hosts.reduce((a, h) => a + h.domuGoodputBytes.reduce((x, y) => x + y, 0), 0);
    expect(goodput).toBeGreaterThan(0);
    expect(total(m, 'vioemu_fleet_goodput_bytes_total')).toBeCloseTo(goodput, 0);
    for (const q of ['nic_ring', 'netback_txq', 'guest_txq'] as const) {
      expect(total(m, 'vioemu_fleet_drops_total', (l) => l[2] === q), q).toBe(hosts.reduce((a, h) => a + h.drops[q], 0));
    }
    expect(total(m, 'vioemu_fleet_tcp_retransmits_total')).toBe(hosts.reduce((a, h) => a + h.tcp.retransmits, 0));
    expect(total(m, 'vioemu_fleet_tcp_timeouts_total')).toBe(hosts.reduce((a, h) => a + h.tcp.timeouts, 0));
    expect(total(m, 'vioemu_fleet_packets_total', (l) => l[2] === 'wire')).toBe(hosts.reduce((a, h) => a + h.packets.wire, 0));
    const ports = switches.flatMap((s) => s.ports);
    expect(total(m, 'vioemu_switch_drops_total')).toBe(ports.reduce((a, p) => a + p.dropFrames, 0));
    // Results round each port's bytes.
    expect(Math.abs(total(m, 'vioemu_switch_tx_bytes_total') - ports.reduce((a, p) => a + p.txBytes, 0))).toBeLessThanOrEqual(ports.length / 2);
  }, 60_000);

  it.each(['1250ms', '1300ms'])("the paper's path, %s", (duration) => {
    const run = runInProcess('scenarios/soak/net-soak.yaml', [`duration=${duration}`]);
    const m = run.sim.metrics;
    const sut = run.out.hosts[1]!.result as { drops: { netbackQueue: number; nicRing: number }; appBytes: number };
    const stressor = run.out.hosts[0]!.result as { retransmits: number; timeouts: number };
    expect(sut.drops.netbackQueue).toBeGreaterThan(0);
    expect(total(m, 'vioemu_queue_drops_total', (l) => l[1] === 'netback_txq')).toBe(sut.drops.netbackQueue);
    expect(total(m, 'vioemu_queue_drops_total', (l) => l[1] === 'nic_ring')).toBe(sut.drops.nicRing);
    expect(total(m, 'vioemu_app_received_bytes_total')).toBe(sut.appBytes);
    expect(total(m, 'vioemu_tcp_retransmits_total')).toBe(stressor.retransmits);
    expect(total(m, 'vioemu_tcp_timeouts_total')).toBe(stressor.timeouts);
  }, 60_000);
});
