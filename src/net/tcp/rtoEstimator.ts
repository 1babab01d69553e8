// Retransmission timeout estimator, RFC 6298 (SRTT/RTTVAR with alpha 1/8,
// beta 1/4, K = 4), with Linux's 200 ms floor (TCP_RTO_MIN) instead of the
// RFC's 1 s and exponential backoff capped at 60 s (RFC 6298 §5.5, 2.5).

export interface RtoConfig {
  /** Floor on the computed RTO (Linux TCP_RTO_MIN = 200 ms). */
  rtoMinNs?: number;
  /** RTO before the first sample (RFC 6298 §2.1: 1 s). */
  rtoInitialNs?: number;
  /** Ceiling, also for backoff (RFC 6298 §2.5 allows >= 60 s; Linux TCP_RTO_MAX = 120 s). */
  rtoMaxNs?: number;
  /** Clock granularity G of RFC 6298 §2.2 (Linux 2.6.18 with HZ=1000: 1 ms). */
  granularityNs?: number;
  /**
   * Linux 2.6.18 instead of RFC 6298: samples in whole jiffies (granularityNs,
   * a 0 sample counts as 1: tcp_rtt_estimator) and RTO = srtt + max(4·mdev,
   * TCP_RTO_MIN) (tcp_set_rto with rttvar >= mdev_max >= TCP_RTO_MIN).
   */
  linux?: boolean;
}

export class RtoEstimator {
  readonly rtoMinNs: number;
  readonly rtoMaxNs: number;
  /** The clock's tick (a jiffy in Linux mode): what elapsed times are counted in. */
  readonly granularityNs: number;
  private readonly linux: boolean;
  private srtt: number | null = null;
  private rttvar = 0;
  /** Smallest RTT sample so far (read-only outside; a field, not a getter: congestion control reads it per ACK). */
  minRttNs: number | null = null;
  private baseRtoNs: number;
  /** Consecutive timer backoffs since the last valid RTT sample (Linux icsk_backoff). */
  private backoffCount = 0;
  /** currentRtoNs(), kept up to date (senders read it per ACK; it changes only with a sample or a backoff). */
  private rtoNs: number;

  constructor(cfg: RtoConfig = {}) {
    this.rtoMinNs = cfg.rtoMinNs ?? 200_000_000;
    this.rtoMaxNs = cfg.rtoMaxNs ?? 60_000_000_000;
    this.granularityNs = cfg.granularityNs ?? 1_000_000;
    this.baseRtoNs = cfg.rtoInitialNs ?? (cfg.linux ? 3_000_000_000 : 1_000_000_000);
    this.linux = cfg.linux ?? false;
    this.rtoNs = this.computeRtoNs();
  }

  private computeRtoNs(): number {
    return Math.min(this.rtoMaxNs, this.baseRtoNs * 2 ** this.backoffCount);
  }

  /** One RTT measurement from a segment that was not retransmitted (Karn's rule is the caller's). */
  sample(rttNs: number): void {
    if (!(rttNs >= 0)) throw new RangeError(`RTT sample must be >= 0, got ${rttNs}`);
    if (this.linux) rttNs = Math.max(1, Math.ceil(rttNs / this.granularityNs)) * this.granularityNs;
    if (this.srtt === null) {
      this.srtt = rttNs; // RFC 6298 §2.2
      this.rttvar = rttNs / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rttNs); // §2.3, RTTVAR first
      this.srtt = 0.875 * this.srtt + 0.125 * rttNs;
    }
    if (this.minRttNs === null || rttNs < this.minRttNs) this.minRttNs = rttNs;
    const rto = this.linux ? this.srtt + Math.max(4 * this.rttvar, this.rtoMinNs) : this.srtt + Math.max(this.granularityNs, 4 * this.rttvar);
    this.baseRtoNs = Math.round(Math.min(this.rtoMaxNs, Math.max(this.rtoMinNs, rto)));
    // A valid sample ends the backoff (RFC 6298 §5.7; Linux tcp_ack_update_rtt clears icsk_backoff).
    this.backoffCount = 0;
    this.rtoNs = this.computeRtoNs();
  }

  /** Timer expired: double the RTO (RFC 6298 §5.5). */
  backOff(): void {
    if (this.rtoNs < this.rtoMaxNs) {
      this.backoffCount++;
      this.rtoNs = this.computeRtoNs();
    }
  }

  /** A timestamp-echo sample of a retransmission's ACK: the backoff ends, the estimate stays (tcp_ack_saw_tstamp). */
  clearBackoff(): void {
    this.backoffCount = 0;
    this.rtoNs = this.computeRtoNs();
  }

  /** RTO to arm now: the estimate doubled once per backoff, capped. */
  currentRtoNs(): number {
    return this.rtoNs;
  }

  get backoff(): number {
    return this.backoffCount;
  }

  get srttNs(): number | null {
    return this.srtt === null ? null : Math.round(this.srtt);
  }

  get rttvarNs(): number {
    return Math.round(this.rttvar);
  }

}

/**
 * The RTO of a connection whose only RTT sample is its handshake's — a receiver that sends only ACKs
 * (its icsk_rto: 210 ms at HZ 100 on a LAN, where the SYN-ACK's round trip counts as one jiffy).
 */
export function handshakeRtoNs(cfg: RtoConfig, synRttNs: number): number {
  const rto = new RtoEstimator(cfg);
  rto.sample(synRttNs);
  return rto.currentRtoNs();
}
