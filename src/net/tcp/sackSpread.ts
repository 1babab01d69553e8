// A duplicate-ACK run's SACK news spread over its ACKs. An ACK batch carries
// the SACK blocks of its last ACK only, but the receiver sent one immediate
// ACK per out-of-order segment (tcp_data_queue → __tcp_ack_snd_check), each
// SACKing one more of them, in arrival (ascending) order. Handing each
// duplicate ACK its share makes tcp_cwnd_down and tcp_xmit_retransmit_queue
// act once per ACK as in 2.6.18 instead of once for the whole run.
import type { SegmentSet } from './segmentSet.ts';

type Block = [startSeq: number, endSeq: number];

const byStartSeq = (a: Block, b: Block): number => a[0] - b[0];

export class DupAckSackSpread {
  /** [start, end) pairs not SACKed when the run began, ascending; the front is handed out first. */
  private readonly fresh: number[] = [];
  private readonly blocks: Block[] = [];
  /** Index in `fresh` of the first pair not handed out. */
  private freshIndex = 0;
  private freshSegs = 0;
  private handedSegs = 0;
  private dupAcks = 0;
  private ackIndex = 0;
  /** One ACK's SACK blocks, reused: ackOne reads them before the next ACK's are made. */
  private readonly part: number[] = [];

  /**
   * A run of `dupAcks` duplicate ACKs whose last one carries `sack` ([start,
   * end) pairs, most recent first). Returns how many segments the run SACKs
   * anew; when 0 there is nothing to spread and next() must not be called.
   */
  begin(sack: readonly number[], sacked: SegmentSet, unaSeq: number, nxtSeq: number, dupAcks: number): number {
    const { fresh, blocks } = this;
    fresh.length = 0;
    blocks.length = 0;
    for (let i = 0; i + 1 < sack.length; i += 2) blocks.push([Math.max(sack[i]!, unaSeq), Math.min(sack[i + 1]!, nxtSeq)]);
    blocks.sort(byStartSeq);
    let freshSegs = 0;
    for (const [s, e] of blocks) {
      let from = s;
      while (from < e) {
        const gap = sacked.firstGap(from, e);
        if (!gap) break;
        fresh.push(gap[0], gap[1]);
        freshSegs += gap[1] - gap[0];
        from = gap[1];
      }
    }
    this.freshIndex = 0;
    this.freshSegs = freshSegs;
    this.handedSegs = 0;
    this.dupAcks = dupAcks;
    this.ackIndex = 0;
    return freshSegs;
  }

  /** The SACK blocks of the run's next duplicate ACK, ascending, or null when it SACKs nothing new. */
  next(): readonly number[] | null {
    const { fresh, part } = this;
    const j = this.ackIndex++;
    // Duplicate ACK j SACKs the first ceil((j+1)·n/dups) fresh segments (the last one all of them).
    const uptoSegs = j === this.dupAcks - 1 ? this.freshSegs : Math.ceil(((j + 1) * this.freshSegs) / this.dupAcks);
    part.length = 0;
    let wantSegs = uptoSegs - this.handedSegs;
    let k = this.freshIndex;
    while (wantSegs > 0 && k < fresh.length) {
      const s = fresh[k]!;
      const e = fresh[k + 1]!;
      const take = Math.min(wantSegs, e - s);
      part.push(s, s + take);
      wantSegs -= take;
      if (s + take === e) k += 2;
      else fresh[k] = s + take;
    }
    this.freshIndex = k;
    this.handedSegs = uptoSegs;
    return part.length > 0 ? part : null;
  }
}
