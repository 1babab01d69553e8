// A bulk TCP sender with SACK and FACK loss recovery as Linux 2.6.18 does it
// (net/ipv4/tcp_input.c, tcp_output.c), in segment units and driven by ACK
// batches. The scoreboard marks segments SACKED, LOST and RETRANS (ranges
// instead of per-skb tags); in flight = packets_out - sacked_out - lost_out
// + retrans_out (tcp_packets_in_flight).
//
// - tcp_fastretrans_alert: Open/Disorder → Recovery when tcp_time_to_recover
//   (lost_out > 0 or fackets_out > reordering); high_seq = snd_nxt;
//   ssthresh from the congestion module; recovery ends when snd_una reaches
//   high_seq (tcp_complete_cwr: cwnd = min(cwnd, ssthresh)).
// - tcp_update_scoreboard with FACK: every segment not SACKed below
//   fackets_out - reordering (and below high_seq) is LOST.
// - tcp_cwnd_down (rate halving): one segment less per two ACKs down to
//   ssthresh, never above in_flight + 1.
// - tcp_xmit_retransmit_queue: LOST segments not yet retransmitted go first,
//   while in_flight < cwnd; then new data (tcp_write_xmit) within cwnd and rwnd.
// - tcp_enter_loss (RTO): cwnd 1, everything not SACKed is LOST, Loss state
//   until high_seq is acked; tcp_moderate_cwnd caps cwnd at in_flight + 3.
// - RTO = srtt + max(4·mdev, TCP_RTO_MIN) with RTT samples in jiffies
//   (tcp_rtt_estimator, tcp_set_rto): ≈ 210 ms on a LAN at HZ=100.
// - Timestamps on: any ACK of new data clears the RTO backoff (tcp_ack_saw_tstamp).
// - A duplicate-ACK run carries its SACK information spread over its ACKs, one
//   more out-of-order segment per ACK, as the receiver sent them.
// - In Recovery a partial ACK marks again when fackets_out > reordering
//   (tcp_try_undo_partial's return value becomes is_dupack).
// Not modelled: undo (D-SACK, Eifel), reordering detection, head-timeout
// marking, the second (forward-retransmit) pass of tcp_xmit_retransmit_queue,
// the receiver's quickack mode after a stall longer than its RTO.
import { assertNs } from '../../kernel/time.ts';
import { createCongestion } from './ccRegistry.ts';
import type { CongestionControl, CongestionName, CwndState } from './congestion.ts';
import { RtoEstimator, type RtoConfig } from './rtoEstimator.ts';
import { SegmentSet } from './segmentSet.ts';
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
   * not TCP_TIMEOUT_INIT's 3 s. Absent: no sample yet (the paper's stressor).
   */
  handshakeRttNs?: number;
  /**
   * sysctl_tcp_timestamps (1): every ACK of new data echoes a timestamp, so
   * tcp_ack_saw_tstamp takes it as an RTT measurement and clears
   * icsk_backoff — also for ACKs of retransmissions, where Karn's rule alone
   * would keep a backed-off RTO through Loss.
   */
  timestamps?: boolean;
}

type CaState = 'open' | 'disorder' | 'recovery' | 'loss';

export interface SackSenderStats extends TcpSenderStats {
  /** Recovery episodes entered on SACK/FACK information (fast retransmits). */
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

export class TcpSackSender {
  readonly mssBytes: number;
  private readonly cc: CongestionControl;
  private readonly w: CwndState;
  private readonly rto: RtoEstimator;
  private readonly appLimitSegs: number;
  /** Whole segments the application has written so far (iperf's writes; unlimited by default). */
  writtenSegs = Infinity;
  private readonly appLimitBytes: number;
  private readonly reordering: number;
  private readonly fack: boolean;
  private readonly maxBurst: number;
  private readonly timestamps: boolean;
  private una = 0;
  private nxt = 0;
  private rwndSegs: number;
  private readonly sacked = new SegmentSet();
  private readonly lost = new SegmentSet();
  private readonly retrans = new SegmentSet();
  /** Retransmitted runs and snd_nxt when each went out (TCP_SKB_CB(skb)->ack_seq). */
  private retransMarks: { start: number; end: number; mark: number }[] = [];
  lostRetransmits = 0;
  private state: CaState = 'open';
  private highSeq = 0;
  /** snd_cwnd_cnt while reducing (rate halving parity). */
  private cwndCnt = 0;
  private rtoAtNs: number | null = null;
  private timedSeq: number | null = null;
  private timedSentNs = 0;
  private dupAcks = 0;
  private readonly counts = { segsSent: 0, segsRetransmitted: 0, fastRetransmits: 0, timeouts: 0 };
  private segsAcked = 0;
  /** Raw RTT samples (before the estimator's jiffy rounding), for results. */
  private rttSumNs = 0;
  private rttSamples = 0;

  constructor(opts: SackSenderOptions = {}) {
    this.mssBytes = opts.mssBytes ?? 1448;
    const cc = opts.congestion ?? 'bic';
    this.cc = typeof cc === 'string' ? createCongestion(cc) : cc;
    this.w = { cwndSegs: opts.initialCwndSegs ?? 3, ssthreshSegs: opts.initialSsthreshSegs ?? this.cc.initialSsthreshSegs ?? Infinity };
    this.rto = new RtoEstimator({ linux: true, granularityNs: 10_000_000, ...opts });
    this.rwndSegs = opts.initialRwndSegs ?? 4;
    this.appLimitBytes = opts.appLimitBytes ?? Infinity;
    this.appLimitSegs = Math.ceil(this.appLimitBytes / this.mssBytes);
    this.reordering = opts.reordering ?? 3;
    this.fack = opts.fack ?? true;
    this.maxBurst = opts.maxBurstSegs ?? 3;
    this.timestamps = opts.timestamps ?? true;
    if (opts.handshakeRttNs !== undefined) this.rto.sample(opts.handshakeRttNs);
  }

  /** tcp_packets_in_flight. */
  private inFlight(): number {
    return this.nxt - this.una - this.sacked.size - this.lost.size + this.retrans.size;
  }

  private cwnd(): number {
    return Math.floor(this.w.cwndSegs + 1e-9);
  }

  /** fackets_out: from snd_una up to the highest SACKed segment. */
  private fackets(): number {
    const top = this.sacked.maxEnd;
    return top === null ? 0 : top - this.una;
  }

  /**
   * The next run of segments to put on the wire now, or null; call until null.
   * LOST segments not yet retransmitted first, then new data.
   */
  nextBurst(nowNs: number, maxSegs: number): Burst | null {
    assertNs(nowNs, 'nextBurst nowNs');
    if (maxSegs < 1) return null;
    // Segments already sent while the last ACK batch was processed (one send opportunity per ACK).
    const queued = this.sentDuringAcks.shift();
    if (queued) return queued;
    return this.transmit(nowNs, maxSegs);
  }

  /** Runs put on the wire during ACK processing, in order; nextBurst hands them out first. */
  private readonly sentDuringAcks: Burst[] = [];

  /** tcp_data_snd_check after one ACK: send what cwnd allows now, so in_flight refills between the ACKs of a batch. */
  private sendAfterAck(nowNs: number): void {
    for (;;) {
      // transmit's own first test (no room in cwnd: nothing), here to save the call on most ACKs.
      if (Math.floor(this.w.cwndSegs + 1e-9) - (this.nxt - this.una - this.sacked.size - this.lost.size + this.retrans.size) <= 0) return;
      const b = this.transmit(nowNs, 64);
      if (!b) return;
      const last = this.sentDuringAcks[this.sentDuringAcks.length - 1];
      if (last && last.retransmit === b.retransmit && last.firstSeq + last.count === b.firstSeq) last.count += b.count;
      else this.sentDuringAcks.push(b);
    }
  }

  private transmit(nowNs: number, maxSegs: number): Burst | null {
    // cwnd() - inFlight(), written out: called several times per ACK.
    const room = Math.floor(this.w.cwndSegs + 1e-9) - (this.nxt - this.una - this.sacked.size - this.lost.size + this.retrans.size);
    if (room <= 0) return null;
    if (this.lost.size > this.retrans.size) {
      for (const [ls, le] of this.lost.rangesIn(this.una, this.nxt)) {
        const gap = this.retrans.firstGap(ls, le);
        if (!gap) continue;
        const count = Math.min(gap[1] - gap[0], room, maxSegs);
        this.retrans.add(gap[0], gap[0] + count);
        // ack_seq of the retransmitted skb: snd_nxt when it went out (for lost-retransmit detection).
        this.retransMarks.push({ start: gap[0], end: gap[0] + count, mark: this.nxt });
        this.counts.segsSent += count;
        this.counts.segsRetransmitted += count;
        if (this.timedSeq !== null && this.timedSeq >= gap[0] && this.timedSeq < gap[0] + count) this.timedSeq = null;
        // Resending the head re-arms the retransmission timer (tcp_xmit_retransmit_queue).
        if (gap[0] === this.una || this.rtoAtNs === null) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
        return { firstSeq: gap[0], count, retransmit: true };
      }
    }
    const byWindow = this.una + this.rwndSegs - this.nxt;
    const avail = Math.min(this.appLimitSegs, this.writtenSegs) - this.nxt;
    const count = Math.min(room, byWindow, avail, maxSegs);
    if (count <= 0) return null;
    const first = this.nxt;
    this.nxt += count;
    this.counts.segsSent += count;
    if (this.timedSeq === null) {
      this.timedSeq = first;
      this.timedSentNs = nowNs;
    }
    if (this.rtoAtNs === null) this.rtoAtNs = nowNs + this.rto.currentRtoNs();
    return { firstSeq: first, count, retransmit: false };
  }

  /**
   * A batch of `ackPackets` ACKs up to `ackSeq` advertising `rwndSegs`, the
   * last `dupAcks` of them repeating it (as TcpSender.onAck), carrying the
   * SACK blocks `sack` ([start, end) pairs, most recent first) of the batch's
   * last ACK; they are applied with the first ACK that does not advance.
   */
  onAck(ackSeq: number, ackPackets: number, rwndSegs: number, nowNs: number, dupAcks = 0, sack: readonly number[] = []): void {
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
    if (dups > 1 && sack.length > 0) {
      this.dupAcksWithSpreadSack(ackSeq, dups, rwndSegs, nowNs, sack);
      return;
    }
    for (let j = 0; j < dups; j++) {
      this.ackOne(ackSeq, rwndSegs, nowNs, j === 0 ? sack : null);
      if (j < dups - 1) this.sendAfterAck(nowNs);
    }
  }

  /**
   * A run of duplicate ACKs whose SACK blocks the batch carries only as of its
   * last ACK. The receiver sent one immediate ACK per out-of-order segment
   * (tcp_data_queue → __tcp_ack_snd_check), each SACKing one more of them, in
   * arrival (ascending) order; so each duplicate ACK here SACKs its share of
   * the newly SACKed segments, and tcp_cwnd_down / tcp_xmit_retransmit_queue
   * act once per ACK as in 2.6.18 instead of once for the whole run.
   */
  private dupAcksWithSpreadSack(ackSeq: number, dups: number, rwndSegs: number, nowNs: number, sack: readonly number[]): void {
    const fresh: number[] = []; // [start, end) pairs not yet SACKed, ascending
    const blocks: [number, number][] = [];
    for (let i = 0; i + 1 < sack.length; i += 2) blocks.push([Math.max(sack[i]!, this.una), Math.min(sack[i + 1]!, this.nxt)]);
    blocks.sort((a, b) => a[0] - b[0]);
    let freshSegs = 0;
    for (const [s, e] of blocks) {
      let from = s;
      while (from < e) {
        const gap = this.sacked.firstGap(from, e);
        if (!gap) break;
        fresh.push(gap[0], gap[1]);
        freshSegs += gap[1] - gap[0];
        from = gap[1];
      }
    }
    if (freshSegs === 0) {
      for (let j = 0; j < dups; j++) {
        this.ackOne(ackSeq, rwndSegs, nowNs, j === 0 ? sack : null);
        if (j < dups - 1) this.sendAfterAck(nowNs);
      }
      return;
    }
    // Duplicate ACK j SACKs the first ceil((j+1)·n/dups) fresh segments (the last one all of them).
    let done = 0;
    let k = 0;
    for (let j = 0; j < dups; j++) {
      const upto = j === dups - 1 ? freshSegs : Math.ceil(((j + 1) * freshSegs) / dups);
      const part: number[] = [];
      let want = upto - done;
      while (want > 0 && k < fresh.length) {
        const s = fresh[k]!;
        const e = fresh[k + 1]!;
        const take = Math.min(want, e - s);
        part.push(s, s + take);
        want -= take;
        if (s + take === e) k += 2;
        else fresh[k] = s + take;
      }
      done = upto;
      this.ackOne(ackSeq, rwndSegs, nowNs, part.length > 0 ? part : null);
      if (j < dups - 1) this.sendAfterAck(nowNs);
    }
  }

  private ackOne(ackSeq: number, rwndSegs: number, nowNs: number, sack: readonly number[] | null): void {
    const priorInFlight = this.nxt - this.una - this.sacked.size - this.lost.size + this.retrans.size; // inFlight()
    const winUpdate = rwndSegs !== this.rwndSegs;
    this.rwndSegs = rwndSegs;
    let dataAcked = false;
    let dataSacked = false;
    if (ackSeq > this.una) {
      const acked = ackSeq - this.una;
      // (An empty scoreboard has nothing to trim: skip the calls, per ACK.)
      if (this.sacked.size > 0) this.sacked.trimBelow(ackSeq);
      if (this.lost.size > 0) this.lost.trimBelow(ackSeq);
      if (this.retrans.size > 0) this.retrans.trimBelow(ackSeq);
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
      if (this.state === 'open') this.cc.onAcked?.(acked);
      // tcp_ack_packets_out: restart the timer while data is outstanding.
      this.rtoAtNs = this.nxt > this.una ? nowNs + this.rto.currentRtoNs() : null;
    }
    if (sack) {
      let lostRetrans = -1;
      for (let i = 0; i + 1 < sack.length; i += 2) {
        const s = Math.max(sack[i]!, this.una);
        const e = Math.min(sack[i + 1]!, this.nxt);
        if (e <= s) continue;
        if (this.sacked.add(s, e) > 0) {
          dataSacked = true;
          if (e > lostRetrans) lostRetrans = e;
        }
        this.lost.remove(s, e);
        this.retrans.remove(s, e);
      }
      if (lostRetrans >= 0 && this.state === 'recovery') this.detectLostRetransmits(lostRetrans);
    }
    const isDup = !dataAcked && !winUpdate;
    if (isDup) this.dupAcks++;
    const dubious = isDup || this.state !== 'open' || dataSacked;
    if (!dubious) {
      if (dataAcked) this.congAvoid(priorInFlight, nowNs);
      return;
    }
    if (dataAcked && this.state !== 'recovery') this.congAvoid(priorInFlight, nowNs);
    this.fastRetransAlert(isDup, dataAcked, nowNs);
  }

  /**
   * tcp_sacktag_write_queue's lost-retransmit check (2.6.18, FACK): a SACK for
   * data sent after a retransmission means that retransmission was lost too —
   * its RETRANS tag is cleared (it stays LOST) so it goes out again.
   */
  private detectLostRetransmits(sackedEnd: number): void {
    const keep: typeof this.retransMarks = [];
    for (const r of this.retransMarks) {
      if (r.end <= this.una) continue;
      if (sackedEnd > r.mark) {
        for (const [a, b] of [...this.retrans.rangesIn(Math.max(r.start, this.una), r.end)]) {
          const n = this.retrans.remove(a, b);
          this.lostRetransmits += n;
        }
        continue;
      }
      keep.push(r);
    }
    this.retransMarks = keep;
  }

  /** tcp_cong_avoid when tcp_is_cwnd_limited(prior in_flight). */
  private congAvoid(priorInFlight: number, nowNs: number): void {
    if (priorInFlight < Math.floor(this.w.cwndSegs + 1e-9)) return; // cwnd()
    // tcp_slow_start while snd_cwnd <= snd_ssthresh (bictcp_cong_avoid, tcp_reno_cong_avoid).
    if (this.w.cwndSegs <= this.w.ssthreshSegs) this.w.cwndSegs = Math.floor(this.w.cwndSegs) + 1;
    else this.cc.onCaAck(this.w, 1, nowNs, this.rto.minRttNs ?? this.rto.srttNs);
  }

  private fastRetransAlert(isDup: boolean, unaAdvanced: boolean, nowNs: number): void {
    // E. State exit once high_seq is acked.
    if (this.state !== 'open' && this.una >= this.highSeq) {
      if (this.state === 'recovery') this.w.cwndSegs = Math.min(this.w.cwndSegs, this.w.ssthreshSegs); // tcp_complete_cwr
      this.state = 'open';
    }
    // F. Process the state.
    if (this.state === 'loss') {
      this.moderateCwnd();
      return;
    }
    if (this.state === 'recovery' && unaAdvanced) {
      // A partial ACK: tcp_try_undo_partial (no undo: the losses are real) makes it count as a
      // duplicate when fackets_out > reordering, so the scoreboard is marked again (Hoe's retransmit).
      isDup = this.fackets() > this.reordering;
    }
    if (this.state !== 'recovery') {
      if (!this.timeToRecover()) {
        // tcp_try_to_open
        const next: CaState = this.sacked.size > 0 || this.lost.size > 0 || this.retrans.size > 0 ? 'disorder' : 'open';
        if (next !== this.state) {
          this.state = next;
          this.highSeq = this.nxt;
        }
        this.moderateCwnd();
        return;
      }
      // Enter Recovery.
      this.highSeq = this.nxt;
      this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.cwnd(), nowNs); // Linux ssthresh hooks read snd_cwnd
      this.cwndCnt = 0;
      this.state = 'recovery';
      this.counts.fastRetransmits++;
    }
    // Entering on an ACK that advanced snd_una marks nothing yet (head-timeout marking is not modelled).
    if (isDup) this.updateScoreboard();
    this.cwndDown();
  }

  /** tcp_time_to_recover (without the head-timeout and small-window tricks). */
  private timeToRecover(): boolean {
    if (this.lost.size > 0) return true;
    const facketsOut = this.fack ? this.fackets() : this.sacked.size + 1;
    return facketsOut > this.reordering;
  }

  /** tcp_update_scoreboard → tcp_mark_head_lost from snd_una, up to high_seq. */
  private updateScoreboard(): void {
    const n = this.fack ? Math.max(1, this.fackets() - this.reordering) : 1;
    const end = Math.min(this.una + n, this.highSeq);
    let from = this.una;
    while (from < end) {
      const gap = this.sacked.firstGap(from, end);
      if (!gap) break;
      this.lost.add(gap[0], gap[1]);
      from = gap[1];
    }
  }

  /** tcp_cwnd_down: rate halving toward ssthresh, capped by in_flight + 1. */
  private cwndDown(): void {
    let decr = this.cwndCnt + 1;
    this.cwndCnt = decr & 1;
    decr >>= 1;
    if (decr && this.w.cwndSegs > this.w.ssthreshSegs) this.w.cwndSegs -= decr;
    this.w.cwndSegs = Math.min(this.w.cwndSegs, this.inFlight() + 1);
  }

  /** tcp_moderate_cwnd. */
  private moderateCwnd(): void {
    this.w.cwndSegs = Math.min(this.w.cwndSegs, this.inFlight() + this.maxBurst);
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
    if (this.state === 'open' || this.state === 'disorder' || this.una === this.highSeq || (this.state === 'loss' && this.rto.backoff === 0)) {
      this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.cwnd(), nowNs); // Linux ssthresh hooks read snd_cwnd
    }
    this.cc.onLossState?.();
    this.w.cwndSegs = 1;
    this.cwndCnt = 0;
    this.retrans.clear();
    this.retransMarks = [];
    let from = this.una;
    while (from < this.nxt) {
      const gap = this.sacked.firstGap(from, this.nxt);
      if (!gap) break;
      this.lost.add(gap[0], gap[1]);
      from = gap[1];
    }
    this.state = 'loss';
    this.highSeq = this.nxt;
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
      inRecovery: this.state === 'recovery',
      sackRecoveries: this.counts.fastRetransmits,
      lostRetransmits: this.lostRetransmits,
      rttSumNs: this.rttSumNs,
      rttSamples: this.rttSamples,
      caState: this.state,
      sackedOut: this.sacked.size,
      lostOut: this.lost.size,
      retransOut: this.retrans.size,
    };
  }
}
