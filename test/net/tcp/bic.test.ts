// BIC as 2.6.18 builds it (tcp_bic.c): initial_ssthresh 100, Reno below
// low_window 14, beta 819/1024 above, binary search back toward the last maximum.
import { describe, expect, it } from 'vitest';
import { bic } from '../../../src/net/tcp/bic.ts';

describe('BIC', () => {
  it('starts with ssthresh 100 and reduces by 819/1024 above low_window (half at or below 14)', () => {
    const cc = bic();
    expect(cc.initialSsthreshSegs).toBe(100);
    expect(cc.ssthreshOnLoss({ cwndSegs: 100, ssthreshSegs: 100 }, 100, 0)).toBe(79);
    expect(bic().ssthreshOnLoss({ cwndSegs: 14, ssthreshSegs: 100 }, 14, 0)).toBe(7);
  });

  it('climbs back toward the window of the last loss quickly, then slowly around it', () => {
    const cc = bic();
    const s = { cwndSegs: 200, ssthreshSegs: 100 };
    s.ssthreshSegs = cc.ssthreshOnLoss(s, 200, 0);
    s.cwndSegs = s.ssthreshSegs; // 158
    const rtts = (target: number) => {
      let n = 0;
      let t = 0;
      while (s.cwndSegs < target && n < 1000) {
        const acks = Math.floor(s.cwndSegs / 2); // delayed ACKs: one per two segments
        for (let i = 0; i < acks; i++) {
          cc.onAcked!(2);
          cc.onCaAck(s, 1, t, 100_000);
        }
        t += 100_000_000; // ≥ HZ/32 between RTTs, so the count is recomputed each RTT
        n++;
      }
      return n;
    };
    // Binary search: half-way steps of (W_max - cwnd)/B, at most max_increment (16) per RTT.
    const toNear = rtts(190);
    expect(toNear).toBeGreaterThanOrEqual(2);
    expect(toNear).toBeLessThanOrEqual(8);
    // Around the old maximum BIC creeps (smooth_part): the last 15 segments take longer than the first 30.
    const slow = rtts(205);
    expect(slow).toBeGreaterThan(toNear);
  });
});

describe('BIC: the per-ACK count', () => {
  /** ACKs of two segments each (delayed ACKs: the ratio stays at its start value) until cwnd grows by one. */
  function acksToGrow(cc: ReturnType<typeof bic>, s: { cwndSegs: number; ssthreshSegs: number }): number {
    const start = s.cwndSegs;
    let n = 0;
    while (s.cwndSegs === start && n < 10_000) {
      cc.onAcked!(2);
      cc.onCaAck(s, 1, 0, 100_000);
      n++;
    }
    return n;
  }

  it('before the first loss a large window grows at least 5% per RTT: cnt is held to 20 (loss_cwnd == 0)', () => {
    // cwnd 400 above last_max 0: cnt = 400/16 = 25, held to 20, then × 16 / delayed_ack (32) = 10: the 11th ACK grows it.
    expect(acksToGrow(bic(), { cwndSegs: 400, ssthreshSegs: 100 })).toBe(11);
  });

  it('fast convergence: a loss below the last maximum remembers (1 + beta)/2 of the window, not the window', () => {
    const cc = bic();
    const s = { cwndSegs: 200, ssthreshSegs: 100 };
    cc.ssthreshOnLoss(s, 200, 0); // last_max 200
    s.cwndSegs = 150;
    s.ssthreshSegs = cc.ssthreshOnLoss(s, 150, 0); // 150 < 200: last_max = 150 × 1843/2048 = 134
    expect(s.ssthreshSegs).toBe(119);
    s.cwndSegs = 119;
    // dist = (134 − 119)/4 = 3: cnt = 119/3 = 39, × 16/32 = 19: the 20th ACK grows it (last_max 150 would give 9).
    expect(acksToGrow(cc, s)).toBe(20);
  });
});
