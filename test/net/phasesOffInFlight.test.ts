// An off phase stops the iperf writers, not TCP: what the connections had in
// flight when it began still completes — ACKs are taken, lost segments are
// retransmitted — and every segment TCP counts as sent goes on the wire. The
// stressor used to stop putting anything on the wire while inactive: runs that
// TCP had already sent while it processed an ACK batch (sendAfterAck) stayed
// in the sender, counted as sent and in flight, until the next on phase, so
// those connections timed out through the off phase and the held runs went
// out after their retransmissions.
import { describe, expect, it } from 'vitest';
import { buildInProcess } from '../helpers/inProcess.ts';
import type { Stressor } from '../../src/net/stressor.ts';

describe('an off phase lets the data in flight complete', () => {
  it('every segment counted as sent is on the wire, and all connections are fully acked before the phase ends', () => {
    const b = buildInProcess('scenarios/paper/fig3-domu.yaml', [
      'net.phases=[{duration: 500ms}, {duration: 1s, active: false}]',
      'duration=1.5s',
      'warmup=0s',
    ]);
    const st = b.hosts[0]!.persist!()[0] as Stressor;
    b.sim.runUntil(1_450_000_000);
    const s = st.stats();
    expect(s.segsSent).toBe(st.link.framesSent);
    for (const tx of st.senders) {
      const t = tx.stats();
      expect(t.sndUna).toBe(t.sndNxt);
    }
  });
});
