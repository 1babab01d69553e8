// A long link: the connections' handshake samples the path's RTT (the SYN-ACK
// comes back after both ways' propagation), as a fleet guest's does
// (pathRttNs). With the LAN's one-jiffy sample the RTO stayed at 210 ms, so on
// a 300 ms RTT every flight timed out before its first ACK could come back,
// every ACK of new data ended the backoff again and no RTT sample was ever
// taken (the timed segment was always retransmitted first, Karn's rule): 8
// flows over a loss-free 10 GbE link with 150 ms each way got 0.001 Gb/s.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.ts';

type Summary = { throughputGbps: number; drops: Record<string, number>; tcp: { timeouts: number; rttMeanUs: number } };

describe('handshake RTT over a long link', () => {
  it('a loss-free 300 ms path has no retransmission timeouts, and its RTT is measured', () => {
    const s = runInProcess('scenarios/paper/fig3-linux.yaml', ['net.link.propagation=150ms', 'duration=3s', 'warmup=1s']).summary as unknown as Summary;
    expect(Object.values(s.drops).reduce((a, b) => a + b, 0)).toBe(0);
    expect(s.tcp.timeouts).toBe(0);
    expect(s.tcp.rttMeanUs).toBeGreaterThan(300_000);
    expect(s.tcp.rttMeanUs).toBeLessThan(310_000);
  });
});
