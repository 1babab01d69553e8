// CUBIC congestion avoidance, RFC 8312 with Linux constants (C = 0.4,
// beta = 0.7, fast convergence on): W(t) = C (t - K)^3 + W_max, time in
// seconds since the epoch began plus one min-RTT (Linux bictcp_update).
import type { CongestionControl, CwndState } from './congestion.ts';

export interface CubicOptions {
  /** Scaling constant C in segments / s^3 (RFC 8312 §5: 0.4). */
  c?: number;
  /** Multiplicative decrease factor (RFC 8312 §4.5: 0.7; Linux 717/1024). */
  beta?: number;
  /** RFC 8312 §4.6: release bandwidth faster when W_max keeps shrinking. */
  fastConvergence?: boolean;
  /** RFC 8312 §4.2: never grow slower than standard TCP would. */
  tcpFriendly?: boolean;
}

const NS_PER_S = 1e9;

export function cubic(opts: CubicOptions = {}): CongestionControl {
  const c = opts.c ?? 0.4;
  const beta = opts.beta ?? 0.7;
  const fastConvergence = opts.fastConvergence ?? true;
  const tcpFriendly = opts.tcpFriendly ?? true;
  // RFC 8312 §4.2: additive increase that matches Reno's average rate with this beta.
  const alphaAimd = (3 * (1 - beta)) / (1 + beta);
  let wLastMaxSegs = 0;
  let epochStartNs: number | null = null;
  let kSec = 0;
  let originSegs = 0;
  let wEstSegs = 0;

  return {
    name: 'cubic',
    ssthreshOnLoss(s: CwndState): number {
      const w = s.cwndSegs;
      wLastMaxSegs = fastConvergence && w < wLastMaxSegs ? (w * (1 + beta)) / 2 : w;
      epochStartNs = null; // the next avoidance ACK starts a new epoch
      return Math.max(Math.floor(w * beta), 2);
    },
    onCaAck(s: CwndState, ackUnits: number, nowNs: number, rttNs: number | null): void {
      const cwnd = s.cwndSegs;
      if (epochStartNs === null) {
        epochStartNs = nowNs;
        wEstSegs = cwnd;
        // RFC 8312 eq. (2) generalised as in Linux: K is the time to climb
        // from the current cwnd back to W_max (equals the RFC when cwnd = beta W_max).
        if (cwnd < wLastMaxSegs) {
          kSec = Math.cbrt((wLastMaxSegs - cwnd) / c);
          originSegs = wLastMaxSegs;
        } else {
          kSec = 0;
          originSegs = cwnd;
        }
      }
      const tSec = (nowNs - epochStartNs + (rttNs ?? 0)) / NS_PER_S;
      // Target one RTT ahead (RFC 8312 §4.3/4.4), capped at 1.5 cwnd (RFC 9438 §4.2, Linux cnt >= 2).
      const target = Math.min(originSegs + c * (tSec - kSec) ** 3, 1.5 * cwnd);
      let next = cwnd;
      if (target > cwnd) next += (ackUnits * (target - cwnd)) / cwnd;
      if (tcpFriendly) {
        // Reno-equivalent window, counted per ACK as in RFC 9438 §4.3 and Linux tcp_friendliness.
        wEstSegs += (ackUnits * alphaAimd) / cwnd;
        if (wEstSegs > next) next = wEstSegs;
      }
      s.cwndSegs = next;
    },
  };
}
