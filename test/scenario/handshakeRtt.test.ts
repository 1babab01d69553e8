// Both ends of a paper-path connection take their first RTT sample from the
// handshake: one jiffy on the back-to-back LAN, the link's round trip over a
// long one. The receiver, which sends only ACKs, keeps the RTO of that sample
// for its idle test (tcp_event_data_recv's quickack after a gap).
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { netConfig } from '../../src/scenario/netScenario.ts';

const cfg = (sets: string[]) => netConfig(loadScenario('scenarios/paper/fig3-domu.yaml', { sets })[0]!.scenario);

describe('the handshake RTT sample', () => {
  it('is one jiffy on the LAN: sender and receiver RTO 210 ms at HZ 100', () => {
    const c = cfg([]);
    expect(c.stressor.tcp.handshakeRttNs).toBe(10_000_000);
    expect(c.sut.tcp.idleQuickAckNs).toBe(210_000_000);
  });

  it('is the link round trip over 150 ms each way, for the receiver as for the sender', () => {
    const c = cfg(['net.link.propagation=150ms']);
    expect(c.stressor.tcp.handshakeRttNs).toBeGreaterThanOrEqual(300_000_000);
    expect(c.stressor.tcp.handshakeRttNs).toBeLessThan(300_001_000);
    expect(Number.isInteger(c.stressor.tcp.handshakeRttNs)).toBe(true);
    // srtt 30 jiffies + max(4·mdev, 200 ms): more than the round trip plus TCP_RTO_MIN.
    expect(c.sut.tcp.idleQuickAckNs).toBeGreaterThanOrEqual(500_000_000);
  });
});
