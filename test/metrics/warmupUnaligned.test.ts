// The end of warm-up zeroes the results' counters. Metric counters must not lose
// what happened between their last push and that instant: with a warm-up that
// is not a multiple of the sample period, a fleet's switch, request-latency and
// component counters end as they do without warm-up.
import { describe, expect, it } from 'vitest';
import { buildInProcess } from '../helpers/inProcess.ts';

function finalValues(warmup: string): Map<string, number> {
  const built = buildInProcess('scenarios/soak/fleet-soak.yaml', ['duration=500ms', `warmup=${warmup}`]);
  built.sim.runUntil(built.sc.durationNs);
  return new Map(built.sim.metrics.snapshot().map((u) => [`${u.name}{${u.labels.join(',')}}`, u.value]));
}

describe('metric counters with a warm-up between two samples', () => {
  it('end as without warm-up (switch bytes and drops, request latencies, component cycles)', () => {
    const none = finalValues('0s');
    const unaligned = finalValues('250ms');
    const names = ['vioemu_switch_tx_bytes_total', 'vioemu_switch_drops_total', 'vioemu_switch_queue_byte_seconds_total', 'vioemu_request_latency_seconds', 'vioemu_component_cycles_total'];
    let checked = 0;
    for (const [k, v] of none) {
      if (!names.some((n) => k.startsWith(`${n}{`)) || v === 0) continue;
      checked++;
      // Switch bytes: a frame booked after the reset but dated before it counts only its part after it (outputPorts):
      // a message in flight at the reset, a few dozen frames a port (tor0's port to r0h1: 31 frames of 61,600).
      expect(Math.abs(unaligned.get(k)! / v - 1), k).toBeLessThan(1e-3);
    }
    expect(checked).toBeGreaterThan(50);
  });
});
