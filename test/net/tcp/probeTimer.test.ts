// A connection with nothing in flight whose send its own device queue refused arms the probe timer
// at the RTO (2.6.18 tcp_check_probe_timer from __tcp_push_pending_frames), and tcp_send_probe0 tries
// again; it is not a timeout. Without it such a connection waits for an ACK that never comes: with
// many flows on a slow link, or a short stressor queue, flows that lose the race at start never send.
import { describe, expect, it } from 'vitest';
import { TcpSackSender } from '../../../src/net/tcp/sackSender.ts';
import { TcpSender } from '../../../src/net/tcp/sender.ts';
import { runInProcess } from '../../helpers/inProcess.ts';

const OPTS = { congestion: 'bic' as const, initialCwndSegs: 3, initialRwndSegs: 1000, handshakeRttNs: 10_000_000 };

describe('probe timer after a refused send with nothing in flight', () => {
  for (const [name, make] of [['SACK', () => new TcpSackSender(OPTS)], ['NewReno', () => new TcpSender(OPTS)]] as const) {
    it(`${name} sender: the refusal arms the timer; its expiry is no timeout, and the segment goes out`, () => {
      const tx = make();
      tx.sendBudgetSegs = 0;
      expect(tx.nextBurst(0, 64)).toBeNull();
      expect(tx.localDrops).toBe(1);
      const at = tx.rtoDeadlineNs();
      expect(at).not.toBeNull();
      expect(at!).toBeGreaterThanOrEqual(200_000_000); // icsk_rto: at least TCP_RTO_MIN
      expect(tx.onRtoTimer(at!)).toBe(false); // nothing was outstanding: a probe, not a retransmission timeout
      expect(tx.timeouts).toBe(0);
      tx.sendBudgetSegs = Infinity;
      expect(tx.nextBurst(at!, 64)).toMatchObject({ firstSeq: 0, retransmit: false });
    });
  }

  it('every flow of a stressor with a one-frame device queue gets data through', () => {
    const r = runInProcess('scenarios/paper/fig3-linux.yaml', ['duration=800ms', 'warmup=200ms', 'net.stressor.txqueuelen=1', 'net.stressor.txRingFrames=0']);
    const parts = (r.hosts[1]!.persist!() as unknown[])[2] as { stack: { receivers: { stats(): { bytesRead: number } }[] } };
    const read = parts.stack.receivers.map((x) => x.stats().bytesRead);
    expect(read.length).toBe(8);
    // Without the probe timer the seven flows refused at start never sent a segment.
    for (const b of read) expect(b).toBeGreaterThan(0);
  });
});

describe('data sent while the probe timer is pending restarts it as the retransmission timer', () => {
  for (const [name, make] of [['SACK', () => new TcpSackSender(OPTS)], ['NewReno', () => new TcpSender(OPTS)]] as const) {
    it(`${name} sender: the RTO runs from the send (tcp_event_new_data_sent), not from the refusal`, () => {
      const tx = make();
      tx.sendBudgetSegs = 0;
      expect(tx.nextBurst(0, 64)).toBeNull();
      const probeAt = tx.rtoDeadlineNs()!;
      // Before the probe fires, another send opportunity finds room (an app write, the link drained).
      const sendAt = probeAt - 10_000_000;
      tx.sendBudgetSegs = Infinity;
      expect(tx.nextBurst(sendAt, 64)).toMatchObject({ firstSeq: 0, retransmit: false });
      // Nothing was in flight before this send: ICSK_TIME_RETRANS is (re)armed at icsk_rto from now.
      expect(tx.rtoDeadlineNs()).toBe(sendAt + probeAt);
      // The probe's old deadline is no retransmission timeout of the data just sent.
      expect(tx.onRtoTimer(probeAt)).toBe(false);
      expect(tx.timeouts).toBe(0);
    });
  }
});
