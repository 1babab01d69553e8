// A segment the sender's own device queue refuses (qdisc full behind the
// driver ring) is not lost: tcp_transmit_skb fails, the segment stays unsent
// and the connection enters CWR (tcp_enter_cwr) — 2.6.18's local congestion.
import { describe, expect, it } from 'vitest';
import { TcpSackSender } from '../../../src/net/tcp/sackSender.ts';
import { TcpSender } from '../../../src/net/tcp/sender.ts';

const OPTS = { congestion: 'newreno' as const, initialCwndSegs: 40, initialRwndSegs: 1000, handshakeRttNs: 1_000_000 };

describe('local congestion (tcp_enter_cwr)', () => {
  it('SACK sender: sends only what the queue takes, keeps the rest unsent, enters CWR and does not grow cwnd until high_seq is passed', () => {
    const tx = new TcpSackSender(OPTS);
    tx.sendBudgetSegs = 25;
    const b = tx.nextBurst(0, 64)!;
    expect(b).toMatchObject({ firstSeq: 0, count: 25, retransmit: false });
    expect(tx.nextBurst(0, 64)).toBeNull(); // refused: nothing more this opportunity
    const s = tx.stats();
    expect(tx.localDrops).toBe(1);
    expect(s.caState).toBe('cwr');
    expect(s.sndNxt).toBe(25); // the refused segment was not sent
    expect(s.cwndSegs).toBeLessThanOrEqual(26); // min(cwnd, in_flight + 1)
    expect(s.ssthreshSegs).toBe(20); // newreno: half of cwnd 40
    // ACKs below high_seq (25): rate halving, no growth.
    tx.sendBudgetSegs = Infinity;
    let t = 2_000_000;
    for (let seq = 2; seq <= 24; seq += 2) {
      const before = tx.cwndSegs;
      tx.onAck(seq, 1, 1000, t, 0);
      expect(tx.cwndSegs).toBeLessThanOrEqual(before);
      while (tx.nextBurst(t, 64));
      t += 10_000;
    }
    expect(tx.stats().caState).toBe('cwr');
    // Something above high_seq acked: tcp_complete_cwr, back to Open at ssthresh at most.
    tx.onAck(tx.stats().sndNxt, 1, 1000, t, 0);
    expect(tx.stats().caState).toBe('open');
    expect(tx.cwndSegs).toBeLessThanOrEqual(20 + 1);
    expect(tx.segsRetransmitted).toBe(0); // nothing was lost
  });

  it('a second refusal inside CWR does not cut again', () => {
    const tx = new TcpSackSender(OPTS);
    tx.sendBudgetSegs = 10;
    while (tx.nextBurst(0, 64));
    const ss = tx.stats().ssthreshSegs;
    tx.sendBudgetSegs = 0;
    tx.onAck(2, 1, 1000, 2_000_000, 0);
    while (tx.nextBurst(2_000_000, 64));
    expect(tx.stats().ssthreshSegs).toBe(ss);
    expect(tx.localDrops).toBeGreaterThanOrEqual(2);
  });

  it('non-SACK sender: the same budget, one reduction per window', () => {
    const tx = new TcpSender(OPTS);
    tx.sendBudgetSegs = 25;
    expect(tx.nextBurst(0, 64)).toMatchObject({ firstSeq: 0, count: 25 });
    expect(tx.nextBurst(0, 64)).toBeNull();
    expect(tx.localDrops).toBe(1);
    expect(tx.stats().sndNxt).toBe(25);
    expect(tx.stats().cwndSegs).toBeLessThanOrEqual(20);
    const cwnd = tx.stats().cwndSegs;
    expect(tx.nextBurst(0, 64)).toBeNull();
    expect(tx.stats().cwndSegs).toBe(cwnd);
  });
});
