// 2.6.18 loss-recovery details that decide how a burst loss ends: SACK news
// arriving one out-of-order segment per duplicate ACK, timestamps ending the
// RTO backoff, and partial ACKs marking the scoreboard again.
import { describe, expect, it } from 'vitest';
import type { Burst } from '../../../src/net/tcp/sender.ts';
import { TcpSackSender, type SackSenderOptions } from '../../../src/net/tcp/sackSender.ts';

const WINDOW = 100;
const BASE: SackSenderOptions = { congestion: 'newreno', initialCwndSegs: 40, initialSsthreshSegs: 20, initialRwndSegs: WINDOW, handshakeRttNs: 1_000_000 };

function drain(tx: TcpSackSender, nowNs: number): Burst[] {
  const out: Burst[] = [];
  for (let b = tx.nextBurst(nowNs, 64); b; b = tx.nextBurst(nowNs, 64)) out.push(b);
  return out;
}

/** Segments in the order they went out, retransmissions marked. */
function segments(bursts: Burst[]): string[] {
  return bursts.flatMap((b) => Array.from({ length: b.count }, (_, i) => `${b.retransmit ? 'R' : ''}${b.firstSeq + i}`));
}

describe('a run of duplicate ACKs carries its SACK news one segment per ACK', () => {
  it('a batch of n duplicate ACKs sends exactly what the same n ACKs one at a time send', () => {
    const LOST = 10; // segments [0, 10) dropped, [10, 40) arrive out of order
    const batched = new TcpSackSender(BASE);
    const single = new TcpSackSender(BASE);
    drain(batched, 0);
    drain(single, 0);
    const t = 2_000_000;
    batched.onAck(0, 40 - LOST, WINDOW, t, 40 - LOST, [LOST, 40]);
    const fromBatch = segments(drain(batched, t));
    const fromSingles: string[] = [];
    for (let k = LOST + 1; k <= 40; k++) {
      single.onAck(0, 1, WINDOW, t, 1, [LOST, k]);
      fromSingles.push(...segments(drain(single, t)));
    }
    expect(fromBatch).toEqual(fromSingles);
    expect(batched.stats()).toEqual(single.stats());
    // Rate halving sends about one segment per two ACKs, retransmissions of the hole first.
    expect(fromBatch.length).toBeGreaterThanOrEqual(10);
    expect(fromBatch.slice(0, 5)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
  });
});

describe('timestamps end the RTO backoff (tcp_ack_saw_tstamp)', () => {
  function rtoAfterRetransmissionAcked(timestamps: boolean): number {
    const tx = new TcpSackSender({ ...BASE, timestamps });
    drain(tx, 0);
    const firstRto = tx.rtoDeadlineNs()!;
    expect(tx.onRtoTimer(firstRto)).toBe(true);
    expect(segments(drain(tx, firstRto))).toEqual(['R0']);
    const t = firstRto + 1_000_000;
    tx.onAck(1, 1, WINDOW, t); // the retransmission of segment 0 is acknowledged
    return tx.rtoDeadlineNs()! - t;
  }
  it('an ACK of a retransmitted segment re-arms the timer with the unbacked-off RTO', () => {
    const withTs = rtoAfterRetransmissionAcked(true);
    const karnOnly = rtoAfterRetransmissionAcked(false);
    expect(karnOnly).toBe(2 * withTs);
    expect(withTs).toBeGreaterThanOrEqual(200_000_000); // TCP_RTO_MIN
    expect(withTs).toBeLessThan(250_000_000);
  });
});

describe('a partial ACK in Recovery marks the scoreboard again (tcp_try_undo_partial)', () => {
  it('a hole above the first one is retransmitted on the partial ACK that SACKs past it', () => {
    const tx = new TcpSackSender({ ...BASE, initialCwndSegs: 13 });
    expect(segments(drain(tx, 0))).toHaveLength(13);
    const t = 2_000_000;
    // Segments 0 and 5 were lost: duplicate ACKs SACK 1..4; the third enters Recovery and marks 0.
    for (let k = 2; k <= 5; k++) tx.onAck(0, 1, WINDOW, t, 1, [1, k]);
    expect(segments(drain(tx, t))[0]).toBe('R0');
    // The retransmission of 0 fills the first hole: the ACK advances to 5 (partial) and SACKs 6..12,
    // so fackets_out = 8 > reordering: segment 5 is marked and goes out at once.
    tx.onAck(5, 1, WINDOW, t + 1_000_000, 0, [6, 13]);
    expect(segments(drain(tx, t + 1_000_000))[0]).toBe('R5');
  });
});
