// Congestion-control policy contract (Linux struct tcp_congestion_ops, cut
// down): the sender owns loss recovery and slow start (RFC 5681 §3.1, shared
// by every policy as in Linux tcp_slow_start); a policy supplies only the
// congestion-avoidance increase and the ssthresh after a loss.

/** The window variables a policy may change, in segments (fractional cwnd allowed). */
export interface CwndState {
  cwndSegs: number;
  ssthreshSegs: number;
}

export interface CongestionControl {
  readonly name: string;
  /**
   * One ACK in congestion avoidance (cwnd >= ssthresh, not in recovery,
   * cwnd-limited). `ackUnits` is 1 per ACK, or the segments it newly acked
   * under byte counting (RFC 3465). `rttNs` is the minimum RTT seen, or null.
   */
  onCaAck(s: CwndState, ackUnits: number, nowNs: number, rttNs: number | null): void;
  /**
   * The new ssthresh for a loss event (entering fast recovery, or the first
   * RTO of an episode). May remember state for later growth (CUBIC W_max).
   */
  ssthreshOnLoss(s: CwndState, flightSegs: number, nowNs: number): number;
  /** ssthresh a new connection starts with (BIC: initial_ssthresh 100); default "infinite". */
  readonly initialSsthreshSegs?: number;
  /** Segments newly acked by one ACK in the Open state (Linux pkts_acked: BIC's delayed-ACK ratio). */
  onAcked?(segs: number): void;
  /** The connection entered the Loss state (CA_EVENT_LOSS: BIC resets). */
  onLossState?(): void;
}

export type CongestionName = 'newreno' | 'cubic' | 'bic';

/**
 * Slow start for one ACK (RFC 5681 §3.1): +1 segment per ACK when
 * `abcLimitSegs` is 0 (Linux 2.6.18 default, sysctl tcp_abc=0), else
 * +min(acked, L) (RFC 3465 appropriate byte counting with limit L).
 * Never overshoots ssthresh; the caller switches to avoidance there.
 */
export function slowStartAck(s: CwndState, ackedSegs: number, abcLimitSegs: number): void {
  const inc = abcLimitSegs > 0 ? Math.min(ackedSegs, abcLimitSegs) : 1;
  s.cwndSegs = Math.min(s.cwndSegs + inc, Math.max(s.ssthreshSegs, s.cwndSegs));
}
