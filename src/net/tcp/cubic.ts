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

/** State in fields, not closures: a checkpoint carries a connection's CUBIC state. */
export class Cubic implements CongestionControl {
  readonly name = 'cubic';
  private readonly c: number;
  private readonly beta: number;
  private readonly fastConvergence: boolean;
  private readonly tcpFriendly: boolean;
  /** RFC 8312 §4.2: additive increase that matches Reno's average rate with this beta. */
  private readonly alphaAimd: number;
  private wLastMaxSegs = 0;
  private epochStartNs: number | null = null;
  private kSec = 0;
  private originSegs = 0;
  private wEstSegs = 0;

  constructor(opts: CubicOptions = {}) {
    this.c = opts.c ?? 0.4;
    this.beta = opts.beta ?? 0.7;
    this.fastConvergence = opts.fastConvergence ?? true;
    this.tcpFriendly = opts.tcpFriendly ?? true;
    this.alphaAimd = (3 * (1 - this.beta)) / (1 + this.beta);
  }

  ssthreshOnLoss(s: CwndState): number {
    const w = s.cwndSegs;
    this.wLastMaxSegs = this.fastConvergence && w < this.wLastMaxSegs ? (w * (1 + this.beta)) / 2 : w;
    this.epochStartNs = null; // the next avoidance ACK starts a new epoch
    return Math.max(Math.floor(w * this.beta), 2);
  }

  onCaAck(s: CwndState, ackUnits: number, nowNs: number, rttNs: number | null): void {
    const cwnd = s.cwndSegs;
    if (this.epochStartNs === null) {
      this.epochStartNs = nowNs;
      this.wEstSegs = cwnd;
      // RFC 8312 eq. (2) generalised as in Linux: K is the time to climb
      // from the current cwnd back to W_max (equals the RFC when cwnd = beta W_max).
      if (cwnd < this.wLastMaxSegs) {
        this.kSec = Math.cbrt((this.wLastMaxSegs - cwnd) / this.c);
        this.originSegs = this.wLastMaxSegs;
      } else {
        this.kSec = 0;
        this.originSegs = cwnd;
      }
    }
    const tSec = (nowNs - this.epochStartNs + (rttNs ?? 0)) / NS_PER_S;
    // Target one RTT ahead (RFC 8312 §4.3/4.4), capped at 1.5 cwnd (RFC 9438 §4.2, Linux cnt >= 2).
    const target = Math.min(this.originSegs + this.c * (tSec - this.kSec) ** 3, 1.5 * cwnd);
    let next = cwnd;
    if (target > cwnd) next += (ackUnits * (target - cwnd)) / cwnd;
    if (this.tcpFriendly) {
      // Reno-equivalent window, counted per ACK as in RFC 9438 §4.3 and Linux tcp_friendliness.
      this.wEstSegs += (ackUnits * this.alphaAimd) / cwnd;
      if (this.wEstSegs > next) next = this.wEstSegs;
    }
    s.cwndSegs = next;
  }
}

export function cubic(opts: CubicOptions = {}): CongestionControl {
  return new Cubic(opts);
}
