// Property: one onAck call with ackPackets = k has exactly the effect of the
// same k ACKs applied one call each (values spaced as the batch convention says).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/kernel/rng.ts';
import type { CongestionName } from '../../../src/net/tcp/congestion.ts';
import { TcpSender, type Burst } from '../../../src/net/tcp/sender.ts';

function drain(s: TcpSender, nowNs: number, maxSegs: number): Burst[] {
  const out: Burst[] = [];
  for (let b = s.nextBurst(nowNs, maxSegs); b; b = s.nextBurst(nowNs, maxSegs)) out.push(b);
  return out;
}

/** The k single-ACK calls a batch stands for. */
function applySingles(s: TcpSender, ackSeq: number, k: number, rwnd: number, nowNs: number, dupAcks: number): void {
  const una = s.stats().sndUna;
  if (ackSeq <= una) {
    for (let i = 0; i < k; i++) s.onAck(ackSeq, 1, rwnd, nowNs);
    return;
  }
  const delta = ackSeq - una;
  const advancing = Math.min(Math.max(k - dupAcks, 1), delta);
  for (let i = 1; i <= advancing; i++) s.onAck(una + Math.floor((i * delta) / advancing), 1, rwnd, nowNs);
  for (let i = advancing; i < k; i++) s.onAck(ackSeq, 1, rwnd, nowNs);
}

function snapshot(s: TcpSender): unknown {
  return { ...s.stats(), rtoAt: s.rtoDeadlineNs() };
}

const CASES: { congestion: CongestionName; abcLimitSegs: number; seed: number }[] = [];
for (const congestion of ['newreno', 'cubic'] as const) {
  for (const abcLimitSegs of [0, 2]) for (let seed = 1; seed <= 5; seed++) CASES.push({ congestion, abcLimitSegs, seed });
}

describe('TcpSender.onAck batch equivalence', () => {
  it.each(CASES)('$congestion abc=$abcLimitSegs seed=$seed: batch == k single ACKs over 400 random steps', ({ congestion, abcLimitSegs, seed }) => {
    const rng = new Rng(seed, 77);
    const opts = { congestion, abcLimitSegs, initialRwndSegs: 60 };
    const batched = new TcpSender(opts);
    const single = new TcpSender(opts);
    let nowNs = 0;
    let sawRecovery = false;
    let sawTimeout = false;
    for (let step = 0; step < 400; step++) {
      nowNs += rng.intBetween(1, 400_000);
      const maxSegs = rng.intBetween(1, 40);
      expect(drain(batched, nowNs, maxSegs)).toEqual(drain(single, nowNs, maxSegs));
      const st = batched.stats();
      const roll = rng.next();
      if (roll < 0.03) {
        // Let the RTO expire.
        const at = batched.rtoDeadlineNs();
        if (at !== null) {
          nowNs = Math.max(nowNs, at);
          expect(batched.onRtoTimer(nowNs)).toBe(single.onRtoTimer(nowNs));
        }
      } else if (st.sndMax > st.sndUna) {
        // An ACK batch: advance by 0..outstanding, some packets duplicates, sometimes a new window.
        const delta = roll < 0.35 ? 0 : rng.intBetween(1, st.sndMax - st.sndUna);
        const k = rng.intBetween(1, 12);
        const dupAcks = rng.intBetween(0, k);
        const rwnd = rng.bernoulli(0.1) ? rng.intBetween(20, 80) : st.rwndSegs;
        batched.onAck(st.sndUna + delta, k, rwnd, nowNs, dupAcks);
        applySingles(single, st.sndUna + delta, k, rwnd, nowNs, dupAcks);
      }
      expect(snapshot(batched)).toEqual(snapshot(single));
      sawRecovery ||= batched.stats().inRecovery;
      sawTimeout ||= batched.stats().timeouts > 0;
    }
    // The walk must have exercised loss recovery, timeouts and real progress.
    expect(sawRecovery).toBe(true);
    expect(sawTimeout).toBe(true);
    expect(batched.stats().sndUna).toBeGreaterThan(500);
  });
});
