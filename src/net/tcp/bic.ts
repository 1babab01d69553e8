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

/** State in fields, not closures: a checkpoint carries a connection's BIC state. */
export class Bic implements CongestionControl {
  readonly name = 'bic';
  readonly initialSsthreshSegs = 100;
  private lastMaxCwnd = 0;
  private lossCwnd = 0;
  private cnt = 1;
  /** Packets per ACK × 16, EWMA (bictcp_acked). */
  private delayedAck = 2 << ACK_RATIO_SHIFT;
  /** snd_cwnd_cnt in congestion avoidance. */
  private cwndCnt = 0;
  private lastCwnd = -1;
  private lastUpdateNs = -Infinity;

  private update(cwnd: number, nowNs: number): void {
    // Recompute only when cwnd changed or HZ/32 (~31 ms) passed.
    if (this.lastCwnd === cwnd && nowNs - this.lastUpdateNs <= 31_250_000) return;
    this.lastCwnd = cwnd;
    this.lastUpdateNs = nowNs;
    if (cwnd <= LOW_WINDOW) {
      this.cnt = cwnd;
      return;
    }
    const lastMax = this.lastMaxCwnd;
    let cnt: number;
    if (cwnd < lastMax) {
      const dist = Math.floor((lastMax - cwnd) / B);
      if (dist > MAX_INCREMENT) cnt = Math.floor(cwnd / MAX_INCREMENT);
      else if (dist <= 1) cnt = Math.floor((cwnd * SMOOTH_PART) / B);
      else cnt = Math.floor(cwnd / dist);
    } else if (cwnd < lastMax + B) cnt = Math.floor((cwnd * SMOOTH_PART) / B);
    else if (cwnd < lastMax + MAX_INCREMENT * (B - 1)) cnt = Math.floor((cwnd * (B - 1)) / (cwnd - lastMax));
    else cnt = Math.floor(cwnd / MAX_INCREMENT);
    if (this.lossCwnd === 0 && cnt > 20) cnt = 20; // increase cwnd 5% per RTT before the first loss
    cnt = Math.floor((cnt << ACK_RATIO_SHIFT) / this.delayedAck);
    this.cnt = cnt === 0 ? 1 : cnt;
  }

  onCaAck(s: CwndState, _ackUnits: number, nowNs: number): void {
    const cwnd = Math.floor(s.cwndSegs + 1e-9);
    // update()'s own early return, tested here to save the call on most ACKs.
    if (this.lastCwnd !== cwnd || nowNs - this.lastUpdateNs > 31_250_000) this.update(cwnd, nowNs);
    if (this.cwndCnt >= this.cnt) {
      s.cwndSegs = cwnd + 1;
      this.cwndCnt = 0;
    } else this.cwndCnt++;
  }

  ssthreshOnLoss(s: CwndState): number {
    const cwnd = Math.floor(s.cwndSegs + 1e-9);
    this.lastMaxCwnd = cwnd < this.lastMaxCwnd ? Math.floor((cwnd * (BETA_SCALE + BETA)) / (2 * BETA_SCALE)) : cwnd;
    this.lossCwnd = cwnd;
    this.cwndCnt = 0;
    return cwnd <= LOW_WINDOW ? Math.max(cwnd >> 1, 2) : Math.max(Math.floor((cwnd * BETA) / BETA_SCALE), 2);
  }

  onAcked(segs: number): void {
    this.delayedAck += segs - (this.delayedAck >> ACK_RATIO_SHIFT);
  }

  onLossState(): void {
    // bictcp_state(TCP_CA_Loss) → bictcp_reset, keeping nothing but the ACK ratio's start value.
    this.lastMaxCwnd = 0;
    this.lossCwnd = 0;
    this.cnt = 1;
    this.delayedAck = 2 << ACK_RATIO_SHIFT;
    this.cwndCnt = 0;
    this.lastCwnd = -1;
  }
}

export function bic(): CongestionControl {
  return new Bic();
}
