import { describe, expect, it } from 'vitest';
import { RtoEstimator } from '../../../src/net/tcp/rtoEstimator.ts';

const MS = 1_000_000;

describe('RtoEstimator (RFC 6298)', () => {
  it('starts at 1 s and follows SRTT + 4 RTTVAR above the 200 ms floor', () => {
    const e = new RtoEstimator();
    expect(e.currentRtoNs()).toBe(1000 * MS);
    e.sample(100 * MS); // SRTT 100, RTTVAR 50 -> 300 ms
    expect(e.srttNs).toBe(100 * MS);
    expect(e.currentRtoNs()).toBe(300 * MS);
    e.sample(200 * MS); // RTTVAR = 0.75*50 + 0.25*100 = 62.5; SRTT = 112.5 -> 362.5 ms
    expect(e.rttvarNs).toBe(62.5 * MS);
    expect(e.srttNs).toBe(112.5 * MS);
    expect(e.currentRtoNs()).toBe(362.5 * MS);
  });

  it('clamps small RTTs to rtoMin, doubles per backoff up to the maximum, and a sample resets it', () => {
    const e = new RtoEstimator();
    e.sample(0.2 * MS);
    expect(e.currentRtoNs()).toBe(200 * MS);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      e.backOff();
      seen.push(e.currentRtoNs() / MS);
    }
    expect(seen).toEqual([400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000, 60000]);
    e.sample(0.2 * MS);
    expect(e.backoff).toBe(0);
    expect(e.currentRtoNs()).toBe(200 * MS);
  });
});

describe('RtoEstimator (Linux 2.6.18: jiffies, srtt + max(4·mdev, TCP_RTO_MIN))', () => {
  it('rounds samples up to whole jiffies (at least one) and adds the 200 ms floor to srtt rather than clamping', () => {
    const e = new RtoEstimator({ linux: true, granularityNs: 10 * MS });
    expect(e.currentRtoNs()).toBe(3000 * MS); // TCP_TIMEOUT_INIT before any sample
    e.sample(0.2 * MS); // a LAN round trip: one jiffy
    expect(e.srttNs).toBe(10 * MS);
    expect(e.currentRtoNs()).toBe(210 * MS); // 10 + max(4 × 5, 200), not max(200, 10 + 20)
    e.sample(25 * MS); // 3 jiffies: rttvar 0.75 × 5 + 0.25 × 20 = 8.75, srtt 12.5
    expect(e.srttNs).toBe(12.5 * MS);
    expect(e.currentRtoNs()).toBe(212.5 * MS);
  });
});
