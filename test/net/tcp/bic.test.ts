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
