// The congestion-state machine of a Linux 2.6.18 SACK sender
// (net/ipv4/tcp_input.c): icsk_ca_state and what each state does to cwnd.
// - tcp_fastretrans_alert: Open/Disorder → Recovery when tcp_time_to_recover
//   (lost_out > 0 or fackets_out > reordering); high_seq = snd_nxt; ssthresh
//   from the congestion module; a state ends when snd_una reaches high_seq
//   (leaving Recovery, tcp_complete_cwr: cwnd = min(cwnd, ssthresh)).
// - tcp_cwnd_down (rate halving): one segment less per two ACKs down to
//   ssthresh, never above in_flight + 1.
// - tcp_enter_loss (RTO): cwnd 1, everything not SACKed is LOST, Loss until
//   high_seq is acked; tcp_moderate_cwnd caps cwnd at in_flight + max_burst.
// - In Recovery a partial ACK marks again when fackets_out > reordering
//   (tcp_try_undo_partial's return value becomes is_dupack).
// - tcp_enter_cwr (local congestion: the device queue refused a segment,
//   tcp_transmit_skb): from Open/Disorder, ssthresh from the congestion
//   module, cwnd at most in_flight + 1, CWR until something above high_seq is
//   acked (tcp_complete_cwr); meanwhile tcp_cwnd_down and no cwnd growth
//   (tcp_may_raise_cwnd); Recovery from CWR keeps that ssthresh.
// Not modelled: undo (D-SACK, Eifel), reordering detection, head-timeout
// marking. snd_una and snd_nxt are the sender's and come in as arguments.
import type { CongestionControl, CwndState } from './congestion.ts';
import type { RtoEstimator } from './rtoEstimator.ts';
import type { SackScoreboard } from './sackScoreboard.ts';

export type CaState = 'open' | 'disorder' | 'cwr' | 'recovery' | 'loss';

export interface SackCaStateOptions {
  /** sysctl_tcp_reordering. */
  reordering: number;
  /** sysctl_tcp_fack. */
  fack: boolean;
  /** tcp_max_burst: tcp_moderate_cwnd's allowance above in_flight. */
  maxBurstSegs: number;
}

export class SackCaState {
  /** icsk_ca_state (read-only outside). */
  state: CaState = 'open';
  /** snd_nxt when the state was entered: it lasts until snd_una gets there. */
  private highSeq = 0;
  /** snd_cwnd_cnt while reducing (rate halving parity). */
  private cwndCnt = 0;
  private readonly reordering: number;
  private readonly fack: boolean;
  private readonly maxBurstSegs: number;

  constructor(
    private readonly w: CwndState,
    private readonly cc: CongestionControl,
    private readonly rto: RtoEstimator,
    private readonly sb: SackScoreboard,
    opts: SackCaStateOptions,
  ) {
    this.reordering = opts.reordering;
    this.fack = opts.fack;
    this.maxBurstSegs = opts.maxBurstSegs;
  }

  /** Linux's ssthresh hooks read snd_cwnd, an integer. */
  private cwndWholeSegs(): number {
    return Math.floor(this.w.cwndSegs + 1e-9);
  }

  /** tcp_cong_avoid, only when tcp_is_cwnd_limited(prior in_flight). */
  congAvoid(priorInFlightSegs: number, nowNs: number): void {
    if (priorInFlightSegs < this.cwndWholeSegs()) return;
    // tcp_slow_start while snd_cwnd <= snd_ssthresh (bictcp_cong_avoid, tcp_reno_cong_avoid).
    if (this.w.cwndSegs <= this.w.ssthreshSegs) this.w.cwndSegs = Math.floor(this.w.cwndSegs) + 1;
    else this.cc.onCaAck(this.w, 1, nowNs, this.rto.minRttNs ?? this.rto.srttNs);
  }

  /** tcp_fastretrans_alert for one dubious ACK. True when it entered Recovery (a fast retransmit). */
  fastRetransAlert(isDup: boolean, unaAdvanced: boolean, unaSeq: number, nxtSeq: number, nowNs: number): boolean {
    // E. State exit once high_seq is acked.
    if (this.state !== 'open' && unaSeq >= this.highSeq) {
      // CWR is held until something *above* high_seq is acked (the CWR bit must reach the receiver).
      if (this.state !== 'cwr' || unaSeq !== this.highSeq) {
        if (this.state === 'recovery' || this.state === 'cwr') this.w.cwndSegs = Math.min(this.w.cwndSegs, this.w.ssthreshSegs); // tcp_complete_cwr
        this.state = 'open';
      }
    }
    // F. Process the state.
    if (this.state === 'loss') {
      this.moderateCwnd(unaSeq, nxtSeq);
      return false;
    }
    if (this.state === 'recovery' && unaAdvanced) {
      // A partial ACK: tcp_try_undo_partial (no undo: the losses are real) makes it count as a
      // duplicate when fackets_out > reordering, so the scoreboard is marked again (Hoe's retransmit).
      isDup = this.sb.facketsSegs(unaSeq) > this.reordering;
    }
    let entered = false;
    if (this.state !== 'recovery') {
      if (!this.timeToRecover(unaSeq)) {
        // tcp_try_to_open: CWR goes on reducing.
        if (this.state === 'cwr') {
          this.cwndDown(unaSeq, nxtSeq);
          return false;
        }
        const next: CaState = this.sb.tagged() ? 'disorder' : 'open';
        if (next !== this.state) {
          this.state = next;
          this.highSeq = nxtSeq;
        }
        this.moderateCwnd(unaSeq, nxtSeq);
        return false;
      }
      this.highSeq = nxtSeq;
      // From CWR the reduction already chose ssthresh (icsk_ca_state < TCP_CA_CWR only).
      if (this.state !== 'cwr') this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.cwndWholeSegs(), nowNs);
      this.cwndCnt = 0;
      this.state = 'recovery';
      entered = true;
    }
    // Entering on an ACK that advanced snd_una marks nothing yet (head-timeout marking is not modelled).
    if (isDup) this.sb.updateScoreboard(unaSeq, this.highSeq, this.reordering, this.fack);
    this.cwndDown(unaSeq, nxtSeq);
    return entered;
  }

  /** tcp_time_to_recover (without the head-timeout and small-window tricks). */
  private timeToRecover(unaSeq: number): boolean {
    if (this.sb.lost.size > 0) return true;
    const facketsOut = this.fack ? this.sb.facketsSegs(unaSeq) : this.sb.sacked.size + 1;
    return facketsOut > this.reordering;
  }

  /** tcp_cwnd_down. */
  private cwndDown(unaSeq: number, nxtSeq: number): void {
    let decr = this.cwndCnt + 1;
    this.cwndCnt = decr & 1;
    decr >>= 1;
    if (decr && this.w.cwndSegs > this.w.ssthreshSegs) this.w.cwndSegs -= decr;
    this.w.cwndSegs = Math.min(this.w.cwndSegs, nxtSeq - unaSeq - this.sb.leftOutSegs() + 1);
  }

  /** tcp_moderate_cwnd: no burst larger than max_burst when the ACK frees much at once. */
  private moderateCwnd(unaSeq: number, nxtSeq: number): void {
    this.w.cwndSegs = Math.min(this.w.cwndSegs, nxtSeq - unaSeq - this.sb.leftOutSegs() + this.maxBurstSegs);
  }

  /** tcp_enter_cwr: the local device queue dropped a segment. Only from Open or Disorder. */
  enterCwr(unaSeq: number, nxtSeq: number, nowNs: number): void {
    if (this.state !== 'open' && this.state !== 'disorder') return;
    this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.cwndWholeSegs(), nowNs);
    this.w.cwndSegs = Math.min(this.w.cwndSegs, nxtSeq - unaSeq - this.sb.leftOutSegs() + 1);
    this.cwndCnt = 0;
    this.highSeq = nxtSeq;
    this.state = 'cwr';
  }

  /**
   * tcp_enter_loss on an RTO. ssthresh is cut once per episode: not again for
   * a timeout in Recovery before high_seq is acked, nor in a Loss that has
   * already backed off (icsk_retransmits).
   */
  enterLoss(unaSeq: number, nxtSeq: number, nowNs: number): void {
    if (this.state === 'open' || this.state === 'disorder' || unaSeq === this.highSeq || (this.state === 'loss' && this.rto.backoff === 0)) {
      this.w.ssthreshSegs = this.cc.ssthreshOnLoss(this.w, this.cwndWholeSegs(), nowNs);
    }
    this.cc.onLossState?.();
    this.w.cwndSegs = 1;
    this.cwndCnt = 0;
    this.sb.enterLoss(unaSeq, nxtSeq);
    this.state = 'loss';
    this.highSeq = nxtSeq;
  }
}
