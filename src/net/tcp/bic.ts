// BIC congestion avoidance as Linux 2.6.18 builds it (net/ipv4/tcp_bic.c), the
// default congestion control of a vanilla 2.6.18 kernel (BIC built in, it
// registers after reno and heads tcp_cong_list): binary search toward the
// window of the last loss, max_increment 16 segments per RTT, Reno below
// low_window 14, multiplicative decrease beta = 819/1024 above it, fast
// convergence, initial_ssthresh 100, and the per-ACK count scaled by the
// measured delayed-ACK ratio (bictcp_acked, ACK_RATIO_SHIFT 4).
import type { CongestionControl, CwndState } from './congestion.ts';

const BETA_SCALE = 1024;
const B = 4;
const MAX_INCREMENT = 16;
const LOW_WINDOW = 14;
const BETA = 819;
const SMOOTH_PART = 20;
const ACK_RATIO_SHIFT = 4;

export function bic(): CongestionControl {
  let lastMaxCwnd = 0;
  let lossCwnd = 0;
  let cnt = 1;
  /** Packets per ACK × 16, EWMA (bictcp_acked). */
  let delayedAck = 2 << ACK_RATIO_SHIFT;
  /** snd_cwnd_cnt in congestion avoidance. */
  let cwndCnt = 0;
  let lastCwnd = -1;
  let lastUpdateNs = -Infinity;

  function update(cwnd: number, nowNs: number): void {
    // Recompute only when cwnd changed or HZ/32 (~31 ms) passed.
    if (lastCwnd === cwnd && nowNs - lastUpdateNs <= 31_250_000) return;
    lastCwnd = cwnd;
    lastUpdateNs = nowNs;
    if (cwnd <= LOW_WINDOW) {
      cnt = cwnd;
      return;
    }
    if (cwnd < lastMaxCwnd) {
      const dist = Math.floor((lastMaxCwnd - cwnd) / B);
      if (dist > MAX_INCREMENT) cnt = Math.floor(cwnd / MAX_INCREMENT);
      else if (dist <= 1) cnt = Math.floor((cwnd * SMOOTH_PART) / B);
      else cnt = Math.floor(cwnd / dist);
    } else if (cwnd < lastMaxCwnd + B) cnt = Math.floor((cwnd * SMOOTH_PART) / B);
    else if (cwnd < lastMaxCwnd + MAX_INCREMENT * (B - 1)) cnt = Math.floor((cwnd * (B - 1)) / (cwnd - lastMaxCwnd));
    else cnt = Math.floor(cwnd / MAX_INCREMENT);
    if (lossCwnd === 0 && cnt > 20) cnt = 20; // increase cwnd 5% per RTT before the first loss
    cnt = Math.floor((cnt << ACK_RATIO_SHIFT) / delayedAck);
    if (cnt === 0) cnt = 1;
  }

  return {
    name: 'bic',
    initialSsthreshSegs: 100,
    onCaAck(s: CwndState, _ackUnits: number, nowNs: number): void {
      const cwnd = Math.floor(s.cwndSegs + 1e-9);
      update(cwnd, nowNs);
      if (cwndCnt >= cnt) {
        s.cwndSegs = cwnd + 1;
        cwndCnt = 0;
      } else cwndCnt++;
    },
    ssthreshOnLoss(s: CwndState): number {
      const cwnd = Math.floor(s.cwndSegs + 1e-9);
      lastMaxCwnd = cwnd < lastMaxCwnd ? Math.floor((cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE)) : cwnd;
      lossCwnd = cwnd;
      cwndCnt = 0;
      return cwnd <= LOW_WINDOW ? Math.max(cwnd >> 1, 2) : Math.max(Math.floor((cwnd * BETA) / BETA_SCALE), 2);
    },
    onAcked(segs: number): void {
      delayedAck += segs - (delayedAck >> ACK_RATIO_SHIFT);
    },
    onLossState(): void {
      // bictcp_state(TCP_CA_Loss) → bictcp_reset, keeping nothing but the ACK ratio's start value.
      lastMaxCwnd = 0;
      lossCwnd = 0;
      cnt = 1;
      delayedAck = 2 << ACK_RATIO_SHIFT;
      cwndCnt = 0;
      lastCwnd = -1;
    },
  };
}
