// What a 2.6.18 connection brings from its set-up, on the paper's host pair:
// the SYN/SYN-ACK's RTT sample (so a first flight lost whole times out after
// TCP_RTO_MIN + srtt, not TCP_TIMEOUT_INIT's 3 s), and without receive
// autotuning a socket buffer of tcp_rmem[1], not tcp_rmem[2].
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.ts';

const FIG3 = 'scenarios/paper/fig3-domu.yaml';

interface Summary {
  throughputGbps: number;
  tcp: { timeouts: number; segmentsSent: number };
}
const run = (sets: string[]) => runInProcess(FIG3, sets).summary as unknown as Summary;

describe('connection set-up', () => {
  it("a flow whose first flight is lost whole times out within the first second (the handshake's RTT sample)", () => {
    // A one-packet backlog in Dom0 drops nearly every ACK of a burst: the first flight is never acknowledged.
    const r = run(['net.netdev.maxBacklog=1', 'net.flows=1', 'warmup=0s', 'duration=1s']);
    // With TCP_TIMEOUT_INIT (3 s) the flow sat silent for the whole second: 3 segments, 0 timeouts.
    expect(r.tcp.timeouts).toBeGreaterThanOrEqual(2);
    expect(r.tcp.segmentsSent).toBeGreaterThan(3);
  });

  it('without autotuning the receive buffer is tcp_rmem[1] (rmemDefault), and it bounds the window', () => {
    const at = (rmemDefault: number) => run(['net.flows=1', 'net.tcp.moderateRcvbuf=false', `net.tcp.rmemDefault=${rmemDefault}`, 'duration=600ms', 'warmup=200ms']).throughputGbps;
    const small = at(16384);
    const linuxDefault = at(87380);
    // 16 KiB holds about 8 segments: a window that small cannot fill the path (it also keeps the
    // queues short, so the bandwidth falls less than the window).
    expect(small).toBeLessThan(0.6 * linuxDefault);
    expect(linuxDefault).toBeGreaterThan(0.5);
  });
});
