// One bulk TCP sender (iperf: always has data) in segment units, driven by
// batches. Mirrors Linux tcp_ack / tcp_fastretrans_alert without SACK: RFC 5681
// slow start and fast retransmit, NewReno recovery (RFC 6582), RTO (RFC 6298).
import { assertNs } from '../../kernel/time.ts';
import { createCongestion } from './ccRegistry.ts';
import { slowStartAck, type CongestionControl, type CongestionName, type CwndState } from './congestion.ts';
import { idleRestartDue, jiffiesBetweenNs, restartCwndAfterIdle } from './idleRestart.ts';
import { RtoEstimator, type RtoConfig } from './rtoEstimator.ts';

export interface TcpSenderOptions extends RtoConfig {
  mssBytes?: number;
  /** RFC 3390 for a 1448-byte MSS gives 3 (Linux 2.6.18); modern Linux uses 10. */
  initialCwndSegs?: number;
  /** Linux starts with ssthresh "infinite" (0x7fffffff). */
  initialSsthreshSegs?: number;
  /** Window from the handshake, until the first ACK (default: 64 KiB unscaled). */
  initialRwndSegs?: number;
  /** The SYN/SYN-ACK's RTT sample, so the first RTO is srtt-based, not TCP_TIMEOUT_INIT's 3 s (as SackSenderOptions). */
  handshakeRttNs?: number;
  /** Bytes the application will ever write; default unlimited (iperf). */
  appLimitBytes?: number;
  congestion?: CongestionName | CongestionControl;
  /** 0: cwnd counts ACKs (Linux 2.6.18 tcp_abc=0); L > 0: RFC 3465 byte counting, limit L. */
  abcLimitSegs?: number;
  dupThresh?: number;
  /** RFC 3042: one new segment per each of the first two duplicate ACKs (Linux does this in TCP_CA_Disorder). */
  limitedTransmit?: boolean;
  /** sysctl_tcp_slow_start_after_idle (1): cwnd restarts after an RTO without data sent (idleRestart.ts, RFC 2861). */
  slowStartAfterIdle?: boolean;
}

/** Segments [firstSeq, firstSeq + count) to transmit now. */
export type Burst = { firstSeq: number; count: number; retransmit: boolean };

export interface TcpSenderStats {
  segsSent: number;
  segsRetransmitted: number;
  fastRetransmits: number;
  timeouts: number;
  bytesAcked: number;
  cwndSegs: number;
  ssthreshSegs: number;
  rwndSegs: number;
  srttNs: number | null;
  rtoNs: number;
  sndUna: number;
  sndNxt: number;
  /** Highest sequence sent + 1 (above sndNxt while resending after an RTO). */
  sndMax: number;
  dupAcks: number;
  inRecovery: boolean;
  /** Sum and count of the RTT samples taken (one timed segment per RTT, none on retransmissions). */
  rttSumNs: number;
  rttSamples: number;
}

export class TcpSender {
  readonly mssBytes: number;
  private readonly cc: CongestionControl;
  private readonly w: CwndState;
  private readonly rto: RtoEstimator;
  private readonly appLimitBytes: number;
  private readonly appLimitSegs: number;
  /** Whole segments the application has written so far (iperf's writes; unlimited by default). */
  writtenSegs = Infinity;
  private readonly abcLimitSegs: number;
  private readonly dupThresh: number;
  private readonly limitedTransmit: boolean;
  private readonly slowStartAfterIdle: boolean;
  private readonly initCwndSegs: number;
  /** When data last left (tp->lsndtime); null before the first. */
  private lastDataSentNs: number | null = null;
  private sndUna = 0;
  private sndNxt = 0;
  /** Highest sequence ever sent + 1; sndNxt < sndMax while going back after an RTO. */
  private sndMax = 0;
  private rwndSegs: number;
  private dupAcks = 0;
  private inRecovery = false;
  /** RFC 6582 "recover" as an exclusive bound (sndMax when recovery or an RTO began). */
  private recoverSeq = 0;
  /** One segment to retransmit before anything else (fast retransmit, partial ACK). */
  private retxSeq: number | null = null;
  /** Segments sent by limited transmit since the last new ACK (kept out of FlightSize, RFC 5681 §3.2). */
  private limitedSentSegs = 0;
  /** Whether the last send opportunity was limited by cwnd (Linux tcp_is_cwnd_limited). */
  private cwndLimited = false;
  private rtoAtNs: number | null = null;
  private timedSeq: number | null = null;
  /** RTT samples taken (Karn's rule: none on retransmitted data), for the mean RTT in results. */
  private rttSumNs = 0;
  private rttSamples = 0;
  private timedSentNs = 0;
  private readonly counts = { segsSent: 0, segsRetransmitted: 0, fastRetransmits: 0, timeouts: 0 };
  private segsAcked = 0;
  /** Segments the local device queue still takes (set by the sender's host; see TcpSackSender.sendBudgetSegs). */
  sendBudgetSegs = Infinity;
  /** Segments the device queue refused. */
  localDrops = 0;
  /** sndNxt at the last local-congestion reduction: one reduction until it is acked (CWR's high_seq). */
  private cwrHighSeq = -1;

  /**
   * tcp_enter_cwr for this non-SACK sender: the reduction CWR's tcp_cwnd_down
   * ends at (cwnd = min(cwnd, ssthresh)) is applied at once, once per window.
   */
  private refused(nowNs: number): null {
    this.localDrops++;
    this.lastDataSentNs = nowNs; // tcp_event_data_sent runs before dev_queue_xmit refuses
    if (!this.inRecovery && this.sndUna >= this.cwrHighSeq) {
      const flight = this.sndNxt - this.sndUna;
      this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, flight, nowNs);
      this.w.cwndSegs = Math.max(1, Math.min(this.w.cwndSegs, flight + 1, this.w.ssthreshSegs));
      this.cwrHighSeq = this.sndNxt;
    }
    // tcp_check_probe_timer: nothing out and no timer pending → the probe timer at the RTO (as TcpSackSender).
    if (this.rtoAtNs === null && this.sndMax === this.sndUna) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return null;
  }

  constructor(opts: TcpSenderOptions = {}) {
    this.mssBytes = opts.mssBytes ?? 1448;
    const cc = opts.congestion ?? 'newreno';
    this.cc = typeof cc === 'string' ? createCongestion(cc) : cc;
    this.initCwndSegs = opts.initialCwndSegs ?? 3;
    this.w = { cwndSegs: this.initCwndSegs, ssthreshSegs: opts.initialSsthreshSegs ?? Infinity };
    this.rto = new RtoEstimator(opts);
    if (opts.handshakeRttNs !== undefined) this.rto.sample(opts.handshakeRttNs);
    this.rwndSegs = opts.initialRwndSegs ?? Math.floor(65535 / this.mssBytes);
    this.appLimitBytes = opts.appLimitBytes ?? Infinity;
    // Segments are modelled full-size; the last one of a limited write is counted as full on the wire.
    this.appLimitSegs = Math.ceil(this.appLimitBytes / this.mssBytes);
    this.abcLimitSegs = opts.abcLimitSegs ?? 0;
    this.dupThresh = opts.dupThresh ?? 3;
    this.limitedTransmit = opts.limitedTransmit ?? true;
    this.slowStartAfterIdle = opts.slowStartAfterIdle ?? true;
  }

  /**
   * The next run of segments to put on the wire now, or null. Call repeatedly
   * until null: a pending retransmission comes first (sent regardless of cwnd,
   * RFC 5681 §3.2 step 2), then segments resent after an RTO, then new data,
   * all limited by min(cwnd (+ limited transmit), rwnd) - in flight and by `maxSegs`.
   */
  nextBurst(nowNs: number, maxSegs: number): Burst | null {
    assertNs(nowNs, 'nextBurst nowNs');
    if (maxSegs < 1) return null;
    if (this.retxSeq !== null) {
      if (this.sendBudgetSegs < 1) return this.refused(nowNs);
      this.sendBudgetSegs--;
      const seq = this.retxSeq;
      this.retxSeq = null;
      this.sent(seq, 1, true, nowNs);
      return { firstSeq: seq, count: 1, retransmit: true };
    }
    // With nothing out and new data to send after an idle RTO, cwnd restarts first (idleRestart.ts).
    if (this.slowStartAfterIdle && this.sndMax === this.sndUna && this.rwndSegs > 0 && Math.min(this.appLimitSegs, this.writtenSegs) > this.sndNxt) {
      const rtoNs = this.rto.currentRtoNs();
      // Idle time in the clock's ticks, as the RTO estimator counts it (tcp_time_stamp: jiffies).
      const tickNs = this.rto.granularityNs;
      if (idleRestartDue(nowNs, this.lastDataSentNs, rtoNs, tickNs)) restartCwndAfterIdle(this.w, jiffiesBetweenNs(this.lastDataSentNs!, nowNs, tickNs), rtoNs, this.initCwndSegs, this.inRecovery);
    }
    const cwndWin = Math.floor(this.w.cwndSegs + 1e-9);
    const byCwnd = cwndWin <= this.rwndSegs;
    const flight = this.sndNxt - this.sndUna;
    const resend = this.sndNxt < this.sndMax;
    const baseAllowed = Math.min(cwndWin, this.rwndSegs) - flight;
    const extra = this.limitedTransmit && !this.inRecovery && !resend ? Math.min(this.dupAcks, 2) : 0;
    const allowed = Math.min(cwndWin + extra, this.rwndSegs) - flight;
    if (allowed <= 0) {
      this.cwndLimited = byCwnd;
      return null;
    }
    const avail = (resend ? this.sndMax : Math.min(this.appLimitSegs, this.writtenSegs)) - this.sndNxt;
    if (avail <= 0) {
      this.cwndLimited = false; // application-limited
      return null;
    }
    if (this.sendBudgetSegs < 1) return this.refused(nowNs);
    const count = Math.min(allowed, maxSegs, avail, this.sendBudgetSegs);
    this.sendBudgetSegs -= count;
    if (count === allowed) this.cwndLimited = byCwnd;
    else if (count === avail && !resend) this.cwndLimited = false;
    if (count > baseAllowed) this.limitedSentSegs += count - Math.max(0, baseAllowed);
    const firstSeq = this.sndNxt;
    this.sndNxt += count;
    if (!resend) this.sndMax = this.sndNxt;
    this.sent(firstSeq, count, resend, nowNs);
    return { firstSeq, count, retransmit: resend };
  }

  private sent(firstSeq: number, count: number, retransmit: boolean, nowNs: number): void {
    this.counts.segsSent += count;
    this.lastDataSentNs = nowNs;
    if (retransmit) {
      this.counts.segsRetransmitted += count;
      // As Linux's TCPFastRetrans (and the SACK sender): segments resent in Recovery, not after a timeout.
      if (this.inRecovery) this.counts.fastRetransmits += count;
      // Karn: a retransmitted segment gives no RTT sample.
      if (this.timedSeq !== null && this.timedSeq >= firstSeq && this.timedSeq < firstSeq + count) this.timedSeq = null;
    } else if (this.timedSeq === null) {
      this.timedSeq = firstSeq;
      this.timedSentNs = nowNs;
    }
    // RFC 6298 §5.1; new data with nothing out before it (tcp_event_new_data_sent) restarts a pending probe timer.
    if (this.rtoAtNs === null || (!retransmit && firstSeq === this.sndUna)) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
  }

  /**
   * A batch of `ackPackets` ACKs whose highest cumulative ack is `ackSeq`, all
   * advertising `rwndSegs` (relative to their ack). Convention: the first
   * `ackPackets - dupAcks` ACKs advance snd_una to `ackSeq` in equal steps
   * (ACK i acks up to snd_una + floor(i * delta / n)), the last `dupAcks`
   * repeat `ackSeq`. A batch with ackSeq == snd_una is all duplicates.
   * Duplicates of an older ack value go in their own earlier call.
   * The effect equals that of the same ACKs applied one call each.
   */
  onAck(ackSeq: number, ackPackets: number, rwndSegs: number, nowNs: number, dupAcks = 0): void {
    assertNs(nowNs, 'onAck nowNs');
    if (ackPackets < 1) return;
    if (ackSeq > this.sndMax) throw new RangeError(`ACK ${ackSeq} beyond highest sent ${this.sndMax}`);
    if (ackSeq < this.sndUna) return; // reordered, stale ACK: Linux ignores it
    if (ackSeq === this.sndUna) {
      this.onDupAcks(ackPackets, rwndSegs, nowNs);
      return;
    }
    const una0 = this.sndUna;
    const delta = ackSeq - una0;
    // More advancing ACKs than newly acked segments cannot happen; the surplus are duplicates.
    const advancing = Math.min(Math.max(ackPackets - dupAcks, 1), delta);
    this.rwndSegs = rwndSegs;
    for (let i = 1; i <= advancing; i++) this.onNewAck(una0 + Math.floor((i * delta) / advancing), nowNs);
    if (ackPackets > advancing) this.onDupAcks(ackPackets - advancing, rwndSegs, nowNs);
  }

  /** One ACK that advances snd_una to `ackSeq`. */
  private onNewAck(ackSeq: number, nowNs: number): void {
    const ackedSegs = ackSeq - this.sndUna;
    if (this.timedSeq !== null && ackSeq > this.timedSeq) {
      this.rto.sample(nowNs - this.timedSentNs);
      this.rttSumNs += nowNs - this.timedSentNs;
      this.rttSamples++;
      this.timedSeq = null;
    }
    this.sndUna = ackSeq;
    if (this.sndNxt < ackSeq) this.sndNxt = ackSeq; // receiver already held what we were resending
    this.segsAcked += ackedSegs;
    this.limitedSentSegs = 0;
    if (this.retxSeq !== null && this.retxSeq < ackSeq) this.retxSeq = null;
    if (this.inRecovery) {
      if (ackSeq >= this.recoverSeq) {
        // Full ACK, RFC 6582 §3.2 step 3 option 1: deflate without a burst.
        const flight = this.sndNxt - this.sndUna;
        this.w.cwndSegs = Math.min(this.w.ssthreshSegs, Math.max(flight, 1) + 1);
        this.inRecovery = false;
        this.dupAcks = 0;
      } else {
        // Partial ACK, step 4: resend the next hole, deflate by what was acked, add one back.
        this.retxSeq = ackSeq;
        this.w.cwndSegs = Math.max(this.w.cwndSegs - ackedSegs + 1, 1);
      }
    } else {
      this.dupAcks = 0;
      if (this.cwndLimited) this.grow(ackedSegs, nowNs);
    }
    // RFC 6298 §5.2/5.3: stop when all is acked, else restart.
    this.rtoAtNs = this.sndMax > this.sndUna ? nowNs + this.rto.currentRtoNs() : null;
  }

  private grow(ackedSegs: number, nowNs: number): void {
    if (this.w.cwndSegs < this.w.ssthreshSegs) slowStartAck(this.w, ackedSegs, this.abcLimitSegs);
    else this.cc.onCaAck(this.w, this.abcLimitSegs > 0 ? ackedSegs : 1, nowNs, this.rto.minRttNs ?? this.rto.srttNs);
  }

  /** `count` ACKs repeating snd_una. */
  private onDupAcks(count: number, rwndSegs: number, nowNs: number): void {
    let dups = count;
    if (rwndSegs !== this.rwndSegs) {
      // RFC 5681 §2 condition (e), Linux FLAG_WIN_UPDATE: a window change is not a duplicate.
      this.rwndSegs = rwndSegs;
      dups--;
    }
    if (dups <= 0 || this.sndMax === this.sndUna) return; // condition (a): nothing outstanding
    if (this.inRecovery) {
      this.dupAcks += dups;
      this.w.cwndSegs += dups; // RFC 6582 step 4 / RFC 5681 step 4: inflate per duplicate
      return;
    }
    const before = this.dupAcks;
    this.dupAcks += dups;
    // RFC 6582 §3.2 step 2: no new recovery until the ACK covers `recover` (avoids
    // spurious fast retransmits from duplicates caused by go-back-N after an RTO).
    if (before < this.dupThresh && this.dupAcks >= this.dupThresh && this.sndUna >= this.recoverSeq) {
      this.enterRecovery(nowNs);
      this.w.cwndSegs += this.dupAcks - this.dupThresh; // duplicates after the third inflate
    }
  }

  private enterRecovery(nowNs: number): void {
    const flightSegs = this.sndNxt - this.sndUna - this.limitedSentSegs;
    this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, flightSegs, nowNs);
    this.w.cwndSegs = this.w.ssthreshSegs + this.dupThresh;
    this.recoverSeq = this.sndMax;
    this.inRecovery = true;
    this.retxSeq = this.sndUna;
  }

  /**
   * The RTO timer fired at `nowNs`. Returns false for a stale call (the
   * deadline moved later or was cleared): the caller may then simply re-arm
   * at rtoDeadlineNs(). On expiry: go back to snd_una with cwnd = 1 (RFC 5681
   * §3.1 loss window), double the RTO (RFC 6298 §5.5), recover = snd_max.
   */
  onRtoTimer(nowNs: number): boolean {
    assertNs(nowNs, 'onRtoTimer nowNs');
    if (this.rtoAtNs === null || nowNs < this.rtoAtNs) return false;
    if (this.sndMax === this.sndUna) {
      this.rtoAtNs = null;
      return false;
    }
    this.counts.timeouts++;
    // RFC 5681 eq. (4) holds ssthresh on repeated timeouts; Linux also keeps the
    // ssthresh already chosen when the timeout hits during fast recovery.
    if (!this.inRecovery && this.rto.backoff === 0) {
      this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.sndMax - this.sndUna, nowNs);
    }
    this.w.cwndSegs = 1;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recoverSeq = this.sndMax;
    this.sndNxt = this.sndUna;
    this.retxSeq = null;
    this.limitedSentSegs = 0;
    this.timedSeq = null;
    this.rto.backOff();
    this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return true;
  }

  /** snd_nxt: the next segment to send. */
  get nextSeq(): number {
    return this.sndNxt;
  }

  /** When the caller must call onRtoTimer, or null when no timer should run. */
  /** Segments retransmitted so far, without building stats(). */
  get segsRetransmitted(): number {
    return this.counts.segsRetransmitted;
  }

  /** RTO expiries so far, without building stats(). */
  get timeouts(): number {
    return this.counts.timeouts;
  }

  /** snd_una, without building stats(). */
  get ackedSeq(): number {
    return this.sndUna;
  }

  rtoDeadlineNs(): number | null {
    return this.rtoAtNs;
  }

  stats(): TcpSenderStats {
    const { sndUna, sndNxt, sndMax, rwndSegs, dupAcks, inRecovery } = this;
    return {
      ...this.counts,
      bytesAcked: Math.min(this.segsAcked * this.mssBytes, this.appLimitBytes),
      ...this.w,
      rwndSegs,
      srttNs: this.rto.srttNs,
      rtoNs: this.rto.currentRtoNs(),
      ...{ sndUna, sndNxt, sndMax, dupAcks, inRecovery },
      rttSumNs: this.rttSumNs,
      rttSamples: this.rttSamples,
    };
  }
}
