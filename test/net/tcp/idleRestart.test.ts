// Slow start after idle (2.6.18 tcp_event_data_sent → tcp_cwnd_restart): a
// sender that has had nothing out for more than an RTO does not send its old
// window in one go when the application writes again.
import { describe, expect, it } from 'vitest';
import { restartCwndAfterIdle } from '../../../src/net/tcp/idleRestart.ts';
import { TcpSackSender } from '../../../src/net/tcp/sackSender.ts';
import { TcpSender } from '../../../src/net/tcp/sender.ts';

const MS = 1_000_000;

describe('tcp_cwnd_restart', () => {
  it('halves cwnd once per RTO of idleness, down to min(init cwnd, cwnd); ssthresh keeps 3/4 of the old cwnd', () => {
    const w = { cwndSegs: 100, ssthreshSegs: 40 };
    restartCwndAfterIdle(w, 450 * MS, 200 * MS, 3, false);
    // delta 450 → 250 > 0: 50; 50 > 0: 25; -150 stops.
    expect(w.cwndSegs).toBe(25);
    expect(w.ssthreshSegs).toBe(75);
    const long = { cwndSegs: 100, ssthreshSegs: Infinity };
    restartCwndAfterIdle(long, 10_000 * MS, 200 * MS, 3, false);
    expect(long.cwndSegs).toBe(3);
    expect(long.ssthreshSegs).toBe(Infinity);
    const small = { cwndSegs: 2, ssthreshSegs: 2 };
    restartCwndAfterIdle(small, 10_000 * MS, 200 * MS, 3, false);
    expect(small.cwndSegs).toBe(2);
  });

  it('in CWR or Recovery ssthresh stands (tcp_current_ssthresh)', () => {
    const w = { cwndSegs: 100, ssthreshSegs: 40 };
    restartCwndAfterIdle(w, 10_000 * MS, 200 * MS, 3, true);
    expect(w.ssthreshSegs).toBe(40);
    expect(w.cwndSegs).toBe(3);
  });
});

/** Grow cwnd to `segs` by sending and acking windows one RTT (1 ms) apart; returns the time after the last ACK and the writes so far. */
function grow(tx: TcpSackSender | TcpSender, segs: number): { nowNs: number; written: number } {
  let nowNs = 0;
  let written = 0;
  for (let round = 0; tx.stats().cwndSegs < segs && round < 50; round++) {
    tx.writtenSegs = written += 1000;
    for (let b = tx.nextBurst(nowNs, 64); b; b = tx.nextBurst(nowNs, 64));
    const nxt = tx.stats().sndNxt;
    tx.writtenSegs = written = nxt; // the application has nothing more for now: the ACKs send nothing
    nowNs += MS;
    tx.onAck(nxt, nxt - tx.stats().sndUna, 100_000, nowNs, 0);
  }
  return { nowNs, written };
}

function burstAfter(tx: TcpSackSender | TcpSender, nowNs: number, written: number): number {
  tx.writtenSegs = written + 10_000;
  let n = 0;
  for (let b = tx.nextBurst(nowNs, 64); b; b = tx.nextBurst(nowNs, 64)) n += b.count;
  return n;
}

for (const [name, make] of [
  ['SACK sender', (on: boolean) => new TcpSackSender({ congestion: 'bic', initialRwndSegs: 100_000, handshakeRttNs: MS, slowStartAfterIdle: on })],
  // As the scenarios build it: HZ 100's jiffy and 2.6.18's RTO (srtt + max(4 mdev, 200 ms)).
  ['NewReno sender', (on: boolean) => new TcpSender({ initialRwndSegs: 100_000, handshakeRttNs: MS, slowStartAfterIdle: on, granularityNs: 10 * MS, linux: true })],
] as const) {
  describe(`${name}: slow start after idle`, () => {
    it('after 1 s with nothing out, the next write goes out at the initial window, not the old cwnd', () => {
      const tx = make(true);
      const { nowNs, written } = grow(tx, 30);
      expect(tx.stats().cwndSegs).toBeGreaterThanOrEqual(30);
      expect(burstAfter(tx, nowNs + 1000 * MS, written)).toBe(3);
      expect(tx.stats().ssthreshSegs).toBeGreaterThanOrEqual(22);
    });

    it('idle for less than an RTO: the whole cwnd goes out', () => {
      const tx = make(true);
      const { nowNs, written } = grow(tx, 30);
      const cwnd = Math.floor(tx.stats().cwndSegs);
      expect(burstAfter(tx, nowNs + 100 * MS, written)).toBe(cwnd);
    });

    it('idle is counted in jiffies, as tcp_time_stamp: more than an RTO of ns but 21 ticks of a 21-jiffy RTO is no restart', () => {
      // RTO 210 ms = 21 jiffies of 10 ms (a LAN RTT counts as one jiffy). Linux restarts when
      // (s32)(tcp_time_stamp - lsndtime) > icsk_rto: at least 22 ticks since the last data.
      const tx = make(true);
      const { nowNs, written } = grow(tx, 30);
      const lastSentNs = nowNs - MS; // grow's last window went out one RTT before its ACK
      const J = 10 * MS;
      const cwnd = Math.floor(tx.stats().cwndSegs);
      // The last tick before the 22nd: more than 210 ms have passed, 21 ticks have.
      const before = (Math.floor(lastSentNs / J) + 22) * J - 1;
      expect(before - lastSentNs).toBeGreaterThan(210 * MS);
      expect(burstAfter(tx, before, written)).toBe(cwnd);
      // The 22nd tick: restarts, halving once (delta 22 - 21 jiffies > 0 once).
      const again = make(true);
      const g = grow(again, 30);
      const old = Math.floor(again.stats().cwndSegs);
      expect(burstAfter(again, (Math.floor((g.nowNs - MS) / J) + 22) * J, g.written)).toBe(Math.floor(old / 2));
    });

    it('with sysctl_tcp_slow_start_after_idle 0 the old cwnd goes out after any idle time', () => {
      const tx = make(false);
      const { nowNs, written } = grow(tx, 30);
      const cwnd = Math.floor(tx.stats().cwndSegs);
      expect(burstAfter(tx, nowNs + 1000 * MS, written)).toBe(cwnd);
    });
  });
}
