// A connection's first RTT sample is its path's round trip, as the SYN exchange measures it. With one jiffy
// (10 ms) for every path, a link of 60 ms (a 240 ms round trip between two hosts of a rack) had every
// one-segment request and response time out at the ~210 ms RTO before its ACK could arrive, and, as
// nothing but retransmitted segments was ever acknowledged, the estimate never learnt the path: every
// segment went twice. Linux 2.6.18 starts from the SYN-ACK's RTT sample and sends each once.
import { describe, expect, it } from 'vitest';
import { pathRttNs } from '../../../src/net/fleet/config.ts';
import { fleetConfig } from '../../../src/scenario/fleetScenario.ts';
import { buildInProcess, runInProcess } from '../../helpers/inProcess.ts';

const RACK = 'scenarios/scale/rack-16x16.yaml';
const TWO_HOSTS = ['net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=2'];

describe('fleet paths longer than TCP_RTO_MIN', () => {
  it('request-response over 60 ms links: no spurious timeouts, each segment sent once', () => {
    const r = runInProcess(RACK, [
      ...TWO_HOSTS,
      'net.fleet.links.host.latency=60ms',
      'net.fleet.traffic=[{pattern: request-response, requestSize: 1, responseSize: 1}]',
      'duration=3s',
      'warmup=1s',
    ]).summary as unknown as { requests: { completed: number }; tcp: { timeouts: number; retransmits: number; segmentsSent: number } };
    // 4 clients, one exchange per ~242 ms round trip: 32 in the 2 s measured.
    expect(r.requests.completed).toBeGreaterThanOrEqual(30);
    expect(r.tcp.timeouts).toBe(0);
    expect(r.tcp.retransmits).toBe(0);
    // A request and a response per exchange (before the fix: 132 segments for 32 exchanges).
    expect(r.tcp.segmentsSent).toBeLessThanOrEqual(2 * r.requests.completed + 8);
  });

  it('a path is its links and switches both ways; a LAN path stays under the one jiffy it counted as before', () => {
    const { sc } = buildInProcess('scenarios/scale/dc-1024.yaml', ['duration=10ms', 'warmup=0s']);
    const f = fleetConfig(sc);
    const sameRack = pathRttNs(f, 0, 1);
    const otherRack = pathRttNs(f, 0, f.racks[1]!.hosts[0]!);
    expect(pathRttNs(f, 3, 3)).toBe(0);
    // 2 × (2 host links of 2 µs + 72 ns, the ToR's 1 µs): 10.3 µs.
    expect(sameRack).toBeCloseTo(2 * (2 * (2000 + 72) + 1000), 0);
    expect(otherRack).toBeGreaterThan(sameRack);
    expect(otherRack).toBeLessThan(10_000_000);
  });
});
