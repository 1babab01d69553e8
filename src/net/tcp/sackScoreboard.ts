// The SACK scoreboard of a Linux 2.6.18 sender (net/ipv4/tcp_input.c) in
// segment units: Linux tags each skb SACKED_ACKED, LOST or SACKED_RETRANS;
// here each tag is a set of ranges. snd_una and snd_nxt stay the sender's and
// come in as arguments, so the scoreboard never disagrees with them.
import { SegmentSet } from './segmentSet.ts';

/** A retransmitted run and snd_nxt when it went out (TCP_SKB_CB(skb)->ack_seq). */
interface RetransMark {
  startSeq: number;
  endSeq: number;
  sndNxtSeq: number;
}

export class SackScoreboard {
  /** sacked_out = sacked.size (read-only outside). */
  readonly sacked = new SegmentSet();
  /** lost_out = lost.size (read-only outside). */
  readonly lost = new SegmentSet();
  /** retrans_out = retrans.size: LOST segments resent and not yet known to be lost again (read-only outside). */
  readonly retrans = new SegmentSet();
  private retransMarks: RetransMark[] = [];

  /** sacked_out + lost_out - retrans_out: what tcp_packets_in_flight takes off packets_out. */
  leftOutSegs(): number {
    return this.sacked.size + this.lost.size - this.retrans.size;
  }

  /** fackets_out: from snd_una up to the highest SACKed segment. */
  facketsSegs(unaSeq: number): number {
    const top = this.sacked.maxEnd;
    return top === null ? 0 : top - unaSeq;
  }

  /** True while any segment carries a tag (tcp_try_to_open stays in Disorder). */
  tagged(): boolean {
    return this.sacked.size > 0 || this.lost.size > 0 || this.retrans.size > 0;
  }

  /** snd_una reached `ackSeq` (tcp_clean_rtx_queue): tags below it go with their skbs. */
  ackedTo(ackSeq: number): void {
    // An empty set has nothing to trim: skip the calls, per ACK.
    if (this.sacked.size > 0) this.sacked.trimBelow(ackSeq);
    if (this.lost.size > 0) this.lost.trimBelow(ackSeq);
    if (this.retrans.size > 0) this.retrans.trimBelow(ackSeq);
  }

  /**
   * tcp_sacktag_write_queue: SACK blocks ([start, end) pairs) tag their
   * segments SACKED, which are then neither LOST nor in flight as
   * retransmissions. Returns the end of the highest block that SACKed
   * something new (for the lost-retransmit check), or -1 when none did.
   */
  tagSacked(sack: readonly number[], unaSeq: number, nxtSeq: number): number {
    let newSackEndSeq = -1;
    for (let i = 0; i + 1 < sack.length; i += 2) {
      const s = Math.max(sack[i]!, unaSeq);
      const e = Math.min(sack[i + 1]!, nxtSeq);
      if (e <= s) continue;
      if (this.sacked.add(s, e) > 0 && e > newSackEndSeq) newSackEndSeq = e;
      this.lost.remove(s, e);
      this.retrans.remove(s, e);
    }
    return newSackEndSeq;
  }

  /**
   * tcp_sacktag_write_queue's lost-retransmit check (2.6.18, FACK): a SACK for
   * data sent after a retransmission means that retransmission was lost too —
   * its RETRANS tag is cleared (it stays LOST) so it goes out again. Returns
   * how many segments were found lost again.
   */
  detectLostRetransmits(sackedEndSeq: number, unaSeq: number): number {
    let lostAgainSegs = 0;
    const keep: RetransMark[] = [];
    for (const r of this.retransMarks) {
      if (r.endSeq <= unaSeq) continue;
      if (sackedEndSeq > r.sndNxtSeq) {
        for (const [a, b] of [...this.retrans.rangesIn(Math.max(r.startSeq, unaSeq), r.endSeq)]) lostAgainSegs += this.retrans.remove(a, b);
        continue;
      }
      keep.push(r);
    }
    this.retransMarks = keep;
    return lostAgainSegs;
  }

  /**
   * tcp_xmit_retransmit_queue's first pass: the lowest run of LOST segments
   * not yet retransmitted, [start, end), or null.
   */
  nextToRetransmit(unaSeq: number, nxtSeq: number): [number, number] | null {
    if (this.lost.size <= this.retrans.size) return null;
    for (const [ls, le] of this.lost.rangesIn(unaSeq, nxtSeq)) {
      const gap = this.retrans.firstGap(ls, le);
      if (gap) return gap;
    }
    return null;
  }

  /** [startSeq, endSeq) went out again while snd_nxt was `sndNxtSeq`. */
  retransmitted(startSeq: number, endSeq: number, sndNxtSeq: number): void {
    this.retrans.add(startSeq, endSeq);
    this.retransMarks.push({ startSeq, endSeq, sndNxtSeq });
  }

  /**
   * tcp_update_scoreboard → tcp_mark_head_lost from snd_una, up to high_seq:
   * with FACK everything not SACKed below fackets_out - reordering, else the
   * head segment alone.
   */
  updateScoreboard(unaSeq: number, highSeq: number, reordering: number, fack: boolean): void {
    const n = fack ? Math.max(1, this.facketsSegs(unaSeq) - reordering) : 1;
    this.markLost(unaSeq, Math.min(unaSeq + n, highSeq));
  }

  /** tcp_enter_loss: no retransmission is in flight any more, and everything not SACKed is LOST. */
  enterLoss(unaSeq: number, nxtSeq: number): void {
    this.retrans.clear();
    this.retransMarks = [];
    this.markLost(unaSeq, nxtSeq);
  }

  /** Tag LOST every segment of [fromSeq, endSeq) not SACKed. */
  private markLost(fromSeq: number, endSeq: number): void {
    let from = fromSeq;
    while (from < endSeq) {
      const gap = this.sacked.firstGap(from, endSeq);
      if (!gap) break;
      this.lost.add(gap[0], gap[1]);
      from = gap[1];
    }
  }
}
