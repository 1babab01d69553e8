// A request's latency is measured from when it was sent to when its whole
// response was read, per exchange: in a closed loop (each client one request
// outstanding) Little's law ties it to the rate — mean latency = clients ×
// measured time / exchanges completed.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/inProcess.ts';

const RACK = 'scenarios/scale/rack-16x16.yaml';

describe('request-response latency', () => {
  it("each exchange's latency runs from its own request: the median agrees with Little's law", () => {
    const r = runInProcess(RACK, [
      'net.fleet.topology.racks.0.hosts.0.count=2',
      'net.fleet.topology.racks.0.hosts.0.domus.0.count=2',
      'net.fleet.traffic=[{pattern: request-response, peer: next-host, requestSize: 1KiB, responseSize: 1}]',
      'duration=200ms',
      'warmup=50ms',
    ]).summary as unknown as { requests: { completed: number; latencyUs: { p50: number; p99: number } } };
    const clients = 4; // one per DomU: 2 hosts × 2 DomUs, each asking the next host's
    const measuredUs = 150_000;
    expect(r.requests.completed).toBeGreaterThan(500);
    const littleUs = (clients * measuredUs) / r.requests.completed;
    expect(r.requests.latencyUs.p50).toBeGreaterThan(0.7 * littleUs);
    expect(r.requests.latencyUs.p50).toBeLessThan(1.3 * littleUs);
    expect(r.requests.latencyUs.p99).toBeLessThan(5 * littleUs);
  });
});
