// A bulk TCP sender with SACK and FACK loss recovery as Linux 2.6.18 does it
// (net/ipv4/tcp_input.c, tcp_output.c), in segment units and driven by ACK
// batches. This class is tcp_ack and the transmit path; the scoreboard
// (sackScoreboard.ts) marks segments SACKED, LOST and RETRANS, the
// congestion-state machine (sackCaState.ts) moves cwnd, and a duplicate-ACK
// run's SACK blocks are spread over its ACKs (sackSpread.ts).
// - in flight = packets_out - sacked_out - lost_out + retrans_out (tcp_packets_in_flight).
// - tcp_xmit_retransmit_queue: LOST segments not yet retransmitted go first,
//   while in_flight < cwnd; then new data (tcp_write_xmit) within cwnd and rwnd.
// - RTO = srtt + max(4·mdev, TCP_RTO_MIN) with RTT samples in jiffies
//   (tcp_rtt_estimator, tcp_set_rto): ≈ 210 ms on a LAN at HZ=100.
// - Timestamps on: any ACK of new data clears the RTO backoff (tcp_ack_saw_tstamp).
// - With nothing out for more than an RTO, cwnd restarts before the next send
//   (tcp_cwnd_restart, idleRestart.ts); the receiver quick-ACKs after such a gap.
// Not modelled: the second (forward-retransmit) pass of
// tcp_xmit_retransmit_queue.
import { assertNs } from '../../kernel/time.ts';
import { createCongestion } from './ccRegistry.ts';
import { idleRestartDue, jiffiesBetweenNs, restartCwndAfterIdle } from './idleRestart.ts';
import type { CongestionControl, CongestionName, CwndState } from './congestion.ts';
import { RtoEstimator, type RtoConfig } from './rtoEstimator.ts';
import { SackCaState, type CaState } from './sackCaState.ts';
import { SackScoreboard } from './sackScoreboard.ts';
import { DupAckSackSpread } from './sackSpread.ts';
import type { Burst, TcpSenderStats } from './sender.ts';

export interface SackSenderOptions extends RtoConfig {
  mssBytes?: number;
  initialCwndSegs?: number;
  initialSsthreshSegs?: number;
  initialRwndSegs?: number;
  appLimitBytes?: number;
  congestion?: CongestionName | CongestionControl;
  /** sysctl_tcp_reordering (3). */
  reordering?: number;
  /** sysctl_tcp_fack (1). */
  fack?: boolean;
  /** tcp_max_burst (3): tcp_moderate_cwnd's allowance above in_flight. */
  maxBurstSegs?: number;
  /**
   * The connection was set up before the first segment: its SYN/SYN-ACK gave
   * this RTT sample (tcp_ack of the SYN-ACK), so the first RTO is srtt-based,
   * not TCP_TIMEOUT_INIT's 3 s. Absent: no sample yet.
   */
  handshakeRttNs?: number;
  /**
   * sysctl_tcp_timestamps (1): every ACK of new data echoes a timestamp, so
   * tcp_ack_saw_tstamp takes it as an RTT measurement and clears
   * icsk_backoff — also for ACKs of retransmissions, where Karn's rule alone
   * would keep a backed-off RTO through Loss.
   */
  timestamps?: boolean;
  /** sysctl_tcp_slow_start_after_idle (1): cwnd restarts after an RTO without data sent (idleRestart.ts). */
  slowStartAfterIdle?: boolean;
}

export interface SackSenderStats extends TcpSenderStats {
  /** Recovery episodes entered on SACK/FACK information. */
  sackRecoveries: number;
  /** Retransmissions found lost again by later SACKs (retransmitted once more without an RTO). */
  lostRetransmits: number;
  rttSumNs: number;
  rttSamples: number;
  caState: CaState;
  sackedOut: number;
  lostOut: number;
  retransOut: number;
}

/** onAck's default: no SACK blocks (one shared array; nothing writes to it). */
const NO_SACK: readonly number[] = [];

export class TcpSackSender {
  readonly mssBytes: number;
  private readonly cc: CongestionControl;
  private readonly w: CwndState;
  private readonly rto: RtoEstimator;
  private readonly sb = new SackScoreboard();
  private readonly ca: SackCaState;
  private readonly spread = new DupAckSackSpread();
  private readonly appLimitSegs: number;
  /** Whole segments the application has written so far (iperf's writes; unlimited by default). */
  writtenSegs = Infinity;
  private readonly appLimitBytes: number;
  private readonly timestamps: boolean;
  private readonly slowStartAfterIdle: boolean;
  /** tcp_init_cwnd: where an idle restart may take cwnd down to. */
  private readonly initCwndSegs: number;
  /** tp->lsndtime: when data last went to the device (tcp_event_data_sent); null before the first. */
  private lastDataSentNs: number | null = null;
  private una = 0;
  private nxt = 0;
  private rwndSegs: number;
  lostRetransmits = 0;
  private rtoAtNs: number | null = null;
  private timedSeq: number | null = null;
  private timedSentNs = 0;
  private dupAcks = 0;
  /** fastRetransmits: segments resent outside Loss (Linux's TCPFastRetrans); recoveries: Recovery episodes entered. */
  private readonly counts = { segsSent: 0, segsRetransmitted: 0, fastRetransmits: 0, recoveries: 0, timeouts: 0 };
  private segsAcked = 0;
  /** Raw RTT samples (before the estimator's jiffy rounding), for results. */
  private rttSumNs = 0;
  private rttSamples = 0;

  constructor(opts: SackSenderOptions = {}) {
    this.mssBytes = opts.mssBytes ?? 1448;
    const cc = opts.congestion ?? 'bic';
    this.cc = typeof cc === 'string' ? createCongestion(cc) : cc;
    this.initCwndSegs = opts.initialCwndSegs ?? 3;
    this.w = { cwndSegs: this.initCwndSegs, ssthreshSegs: opts.initialSsthreshSegs ?? this.cc.initialSsthreshSegs ?? Infinity };
    this.rto = new RtoEstimator({ linux: true, granularityNs: 10_000_000, ...opts });
    this.ca = new SackCaState(this.w, this.cc, this.rto, this.sb, { reordering: opts.reordering ?? 3, fack: opts.fack ?? true, maxBurstSegs: opts.maxBurstSegs ?? 3 });
    this.rwndSegs = opts.initialRwndSegs ?? 4;
    this.appLimitBytes = opts.appLimitBytes ?? Infinity;
    this.appLimitSegs = Math.ceil(this.appLimitBytes / this.mssBytes);
    this.timestamps = opts.timestamps ?? true;
    this.slowStartAfterIdle = opts.slowStartAfterIdle ?? true;
    if (opts.handshakeRttNs !== undefined) this.rto.sample(opts.handshakeRttNs);
  }

  /**
   * The next run of segments to put on the wire now, or null; call until null.
   * LOST segments not yet retransmitted first, then new data.
   */
  nextBurst(nowNs: number, maxSegs: number): Burst | null {
    assertNs(nowNs, 'nextBurst nowNs');
    if (maxSegs < 1) return null;
    // Segments already sent while the last ACK batch was processed (one send opportunity per ACK),
    // handed out at most `maxSegs` at a time: sendAfterAck merges the runs of consecutive ACKs, and
    // a merged run handed out whole went on the wire as one message of up to a whole window (894
    // frames in fig3-linux), which the link delivers at its last frame, all at once, into the NIC ring.
    const queued = this.sentDuringAcks[0];
    if (queued) {
      if (queued.count <= maxSegs) return this.sentDuringAcks.shift()!;
      const head: Burst = { firstSeq: queued.firstSeq, count: maxSegs, retransmit: queued.retransmit };
      queued.firstSeq += maxSegs;
      queued.count -= maxSegs;
      return head;
    }
    return this.transmit(nowNs, maxSegs);
  }

  /** Runs put on the wire during ACK processing, in order; nextBurst hands them out first. */
  private readonly sentDuringAcks: Burst[] = [];

  /** tcp_data_snd_check after one ACK: send what cwnd allows now, so in_flight refills between the ACKs of a batch. */
  private sendAfterAck(nowNs: number): void {
    for (;;) {
      // transmit's own first test (no room in cwnd: nothing), here to save the call on most ACKs.
      if (Math.floor(this.w.cwndSegs + 1e-9) - (this.nxt - this.una - this.sb.leftOutSegs()) <= 0) return;
      const b = this.transmit(nowNs, 64);
      if (!b) return;
      const last = this.sentDuringAcks[this.sentDuringAcks.length - 1];
      if (last && last.retransmit === b.retransmit && last.firstSeq + last.count === b.firstSeq) last.count += b.count;
      else this.sentDuringAcks.push(b);
    }
  }

  /**
   * Segments the local device queue still takes (qdisc + driver ring; the
   * sender's host sets it before each ACK batch or send opportunity). A
   * segment it refuses is not sent — it stays at the head of the write queue —
   * and the connection enters CWR (tcp_transmit_skb → tcp_enter_cwr).
   */
  sendBudgetSegs = Infinity;
  /** Segments the device queue refused (each one a tcp_enter_cwr). */
  localDrops = 0;

  private refused(nowNs: number): null {
    this.localDrops++;
    // tcp_transmit_skb runs tcp_event_data_sent before dev_queue_xmit refuses the segment.
    this.lastDataSentNs = nowNs;
    this.ca.enterCwr(this.una, this.nxt, nowNs);
    // tcp_check_probe_timer (2.6.18 include/net/tcp.h), from __tcp_push_pending_frames when tcp_write_xmit
    // sent nothing: with no packets out and no timer pending, ICSK_TIME_PROBE0 is armed at icsk_rto, and
    // tcp_send_probe0 tries the refused segment again. Without it a connection whose only send its own
    // device queue refused waits for an ACK that never comes. (onRtoTimer finds nothing out: no timeout.)
    if (this.rtoAtNs === null && this.nxt === this.una) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return null;
  }

  private transmit(nowNs: number, maxSegs: number): Burst | null {
    // cwnd - tcp_packets_in_flight, written out: called several times per ACK.
    let room = Math.floor(this.w.cwndSegs + 1e-9) - (this.nxt - this.una - this.sb.leftOutSegs());
    if (room <= 0) return null;
    const gap = this.sb.nextToRetransmit(this.una, this.nxt);
    if (gap) {
      if (this.sendBudgetSegs < 1) return this.refused(nowNs);
      const count = Math.min(gap[1] - gap[0], room, maxSegs, this.sendBudgetSegs);
      this.sendBudgetSegs -= count;
      this.sb.retransmitted(gap[0], gap[0] + count, this.nxt);
      this.lastDataSentNs = nowNs;
      this.counts.segsSent += count;
      this.counts.segsRetransmitted += count;
      // tcp_xmit_retransmit_queue counts LINUX_MIB_TCPFASTRETRANS per segment unless in Loss (then slow-start retransmits).
      if (this.ca.state !== 'loss') this.counts.fastRetransmits += count;
      if (this.timedSeq !== null && this.timedSeq >= gap[0] && this.timedSeq < gap[0] + count) this.timedSeq = null;
      // Resending the head re-arms the retransmission timer (tcp_xmit_retransmit_queue).
      if (gap[0] === this.una || this.rtoAtNs === null) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
      return { firstSeq: gap[0], count, retransmit: true };
    }
    const byWindow = this.una + this.rwndSegs - this.nxt;
    const avail = Math.min(this.appLimitSegs, this.writtenSegs) - this.nxt;
    // tcp_event_data_sent: the first segment after an idle RTO with nothing out restarts cwnd (idleRestart.ts).
    if (this.slowStartAfterIdle && this.nxt === this.una && avail > 0 && byWindow > 0) {
      const rtoNs = this.rto.currentRtoNs();
      // tcp_time_stamp counts jiffies, the RTO estimator's tick.
      const jiffyNs = this.rto.granularityNs;
      if (idleRestartDue(nowNs, this.lastDataSentNs, rtoNs, jiffyNs)) {
        const idleNs = jiffiesBetweenNs(this.lastDataSentNs!, nowNs, jiffyNs);
        restartCwndAfterIdle(this.w, idleNs, rtoNs, this.initCwndSegs, this.ca.state === 'cwr' || this.ca.state === 'recovery');
        room = Math.floor(this.w.cwndSegs + 1e-9);
      }
    }
    let count = Math.min(room, byWindow, avail, maxSegs);
    if (count <= 0) return null;
    if (this.sendBudgetSegs < 1) return this.refused(nowNs);
    count = Math.min(count, this.sendBudgetSegs);
    this.sendBudgetSegs -= count;
    const first = this.nxt;
    this.nxt += count;
    this.lastDataSentNs = nowNs;
    this.counts.segsSent += count;
    if (this.timedSeq === null) {
      this.timedSeq = first;
      this.timedSentNs = nowNs;
    }
    // tcp_event_new_data_sent: with nothing out before this send, the retransmission timer starts now — also
    // over a pending probe timer (refused()), whose earlier deadline would time the data out too soon.
    if (this.rtoAtNs === null || first === this.una) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return { firstSeq: first, count, retransmit: false };
  }

  /**
   * A batch of `ackPackets` ACKs up to `ackSeq` advertising `rwndSegs`, the
   * last `dupAcks` of them repeating it (as TcpSender.onAck), carrying the
   * SACK blocks `sack` ([start, end) pairs, most recent first) of the batch's
   * last ACK; they are applied with the first ACK that does not advance, or
   * spread over a run of duplicate ACKs.
   */
  onAck(ackSeq: number, ackPackets: number, rwndSegs: number, nowNs: number, dupAcks = 0, sack: readonly number[] = NO_SACK): void {
    assertNs(nowNs, 'onAck nowNs');
    if (ackPackets < 1) return;
    if (ackSeq > this.nxt) throw new RangeError(`ACK ${ackSeq} beyond highest sent ${this.nxt}`);
    if (ackSeq < this.una) return;
    const una0 = this.una;
    const delta = ackSeq - una0;
    const advancing = delta > 0 ? Math.min(Math.max(ackPackets - dupAcks, 1), delta) : 0;
    const dups = ackPackets - advancing;
    for (let i = 1; i <= advancing; i++) {
      const last = i === advancing && dups === 0;
      this.ackOne(una0 + Math.floor((i * delta) / advancing), rwndSegs, nowNs, last ? sack : null);
      if (i < advancing || dups > 0) this.sendAfterAck(nowNs);
    }
    const spread = dups > 1 && sack.length > 0 && this.spread.begin(sack, this.sb.sacked, this.una, this.nxt, dups) > 0;
    for (let j = 0; j < dups; j++) {
      this.ackOne(ackSeq, rwndSegs, nowNs, spread ? this.spread.next() : j === 0 ? sack : null);
      if (j < dups - 1) this.sendAfterAck(nowNs);
    }
  }

  /** tcp_ack for one ACK. */
  private ackOne(ackSeq: number, rwndSegs: number, nowNs: number, sack: readonly number[] | null): void {
    const priorInFlightSegs = this.nxt - this.una - this.sb.leftOutSegs(); // tcp_packets_in_flight
    const winUpdate = rwndSegs !== this.rwndSegs;
    this.rwndSegs = rwndSegs;
    let dataAcked = false;
    let dataSacked = false;
    if (ackSeq > this.una) {
      const acked = ackSeq - this.una;
      this.sb.ackedTo(ackSeq);
      this.una = ackSeq;
      this.segsAcked += acked;
      dataAcked = true;
      this.dupAcks = 0;
      if (this.timedSeq !== null && ackSeq > this.timedSeq) {
        this.rttSumNs += nowNs - this.timedSentNs;
        this.rttSamples++;
        this.rto.sample(nowNs - this.timedSentNs);
        this.timedSeq = null;
      } else if (this.timestamps && this.rto.backoff > 0) {
        // The echoed timestamp is a valid sample even for a retransmission (tcp_ack_saw_tstamp):
        // the backoff ends. srtt itself moves little at a LAN RTT under TCP_RTO_MIN, so the
        // one-per-RTT samples above stand in for the per-ACK ones.
        this.rto.clearBackoff();
      }
      if (this.ca.state === 'open') this.cc.onAcked?.(acked);
      // tcp_ack_packets_out: restart the timer while data is outstanding.
      this.rtoAtNs = this.nxt > this.una ? nowNs + this.rto.currentRtoNs() : null;
    }
    if (sack) {
      const newSackEndSeq = this.sb.tagSacked(sack, this.una, this.nxt);
      dataSacked = newSackEndSeq >= 0;
      if (dataSacked && this.ca.state === 'recovery') this.lostRetransmits += this.sb.detectLostRetransmits(newSackEndSeq, this.una);
    }
    const isDup = !dataAcked && !winUpdate;
    if (isDup) this.dupAcks++;
    // tcp_ack_is_dubious: only then does tcp_fastretrans_alert run.
    const dubious = isDup || this.ca.state !== 'open' || dataSacked;
    if (!dubious) {
      if (dataAcked) this.ca.congAvoid(priorInFlightSegs, nowNs);
      return;
    }
    // tcp_may_raise_cwnd: not in Recovery or CWR.
    if (dataAcked && this.ca.state !== 'recovery' && this.ca.state !== 'cwr') this.ca.congAvoid(priorInFlightSegs, nowNs);
    if (this.ca.fastRetransAlert(isDup, dataAcked, this.una, this.nxt, nowNs)) this.counts.recoveries++;
  }

  /** The retransmission timer fired: tcp_enter_loss, back off. False for a stale call. */
  onRtoTimer(nowNs: number): boolean {
    assertNs(nowNs, 'onRtoTimer nowNs');
    if (this.rtoAtNs === null || nowNs < this.rtoAtNs) return false;
    if (this.nxt === this.una) {
      this.rtoAtNs = null;
      return false;
    }
    this.counts.timeouts++;
    this.ca.enterLoss(this.una, this.nxt, nowNs);
    // Runs sent during an ACK batch that the host has not taken yet stay queued: tcp_transmit_skb already handed
    // them to dev_queue_xmit (a fleet guest's qdisc, while netfront's ring is full), and 2.6.18's tcp_enter_loss
    // only marks the write queue LOST; nothing takes a packet back out of the qdisc, so they still reach the wire,
    // ahead of the retransmissions (Linux skips the retransmission of a segment still in a host queue only from
    // 3.16, skb_still_in_host_queue). Dropping them would also leave segsSent counting segments never sent.
    this.timedSeq = null;
    this.rto.backOff();
    this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return true;
  }

  rtoDeadlineNs(): number | null {
    return this.rtoAtNs;
  }

  /** snd_una, without building stats(). */
  get ackedSeq(): number {
    return this.una;
  }

  /** snd_cwnd in segments, without building stats(). */
  get cwndSegs(): number {
    return this.w.cwndSegs;
  }

  /** Segments retransmitted so far, without building stats(). */
  get segsRetransmitted(): number {
    return this.counts.segsRetransmitted;
  }

  /** RTO expiries so far, without building stats(). */
  get timeouts(): number {
    return this.counts.timeouts;
  }

  /** snd_nxt: the next new segment to send. */
  get nextSeq(): number {
    return this.nxt;
  }

  stats(): SackSenderStats {
    return {
      ...this.counts,
      bytesAcked: Math.min(this.segsAcked * this.mssBytes, this.appLimitBytes),
      cwndSegs: this.w.cwndSegs,
      ssthreshSegs: this.w.ssthreshSegs,
      rwndSegs: this.rwndSegs,
      srttNs: this.rto.srttNs,
      rtoNs: this.rto.currentRtoNs(),
      sndUna: this.una,
      sndNxt: this.nxt,
      sndMax: this.nxt,
      dupAcks: this.dupAcks,
      inRecovery: this.ca.state === 'recovery',
      sackRecoveries: this.counts.recoveries,
      lostRetransmits: this.lostRetransmits,
      rttSumNs: this.rttSumNs,
      rttSamples: this.rttSamples,
      caState: this.ca.state,
      sackedOut: this.sb.sacked.size,
      lostOut: this.sb.lost.size,
      retransOut: this.sb.retrans.size,
    };
  }
}
