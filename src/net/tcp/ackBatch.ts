// ACK batches as the receiver emits them and the sender consumes them: a run
// of ACK packets whose cumulative values first rise in equal steps and then
// repeat (duplicates). Any per-packet ACK sequence is a list of such runs.

export interface AckBatch {
  /** Highest cumulative ack in the run (segments below it were received). */
  ackSeq: number;
  ackPackets: number;
  /** How many of the packets (the last ones) repeat ackSeq. */
  dupAcks: number;
}

/** Receiver's ACK output for one event; `batches` empty means send nothing. */
export interface AckDecision {
  batches: AckBatch[];
  /** Total ACK packets in all batches. */
  ackPackets: number;
  /** Highest cumulative ack sent (the receiver's last ACK value when nothing is sent). */
  ackSeq: number;
  /** Window advertised by every packet of this decision, relative to its ack. */
  rwndSegs: number;
  /** SACK blocks of the decision's last ACK, [start, end) pairs, most recent first (empty without SACK). */
  sack?: number[];
}

/** Builds the run list from per-packet ack values given arithmetically. */
export class AckRunBuilder {
  readonly batches: AckBatch[] = [];
  private lastSeq: number;
  private stepSegs = 0;
  private packets = 0;

  constructor(lastAckSentSeq: number) {
    this.lastSeq = lastAckSentSeq;
  }

  get lastAckSeq(): number {
    return this.lastSeq;
  }

  get totalPackets(): number {
    return this.packets;
  }

  /** `n` packets all carrying `ackSeq`: the first advances when ackSeq is new, the rest repeat it. */
  repeat(ackSeq: number, n: number): void {
    if (n <= 0) return;
    if (ackSeq < this.lastSeq) throw new RangeError(`ACK value ${ackSeq} below previous ${this.lastSeq}`);
    if (ackSeq > this.lastSeq) {
      this.advance(ackSeq - this.lastSeq, 1);
      n--;
    }
    if (n === 0) return;
    const cur = this.batches[this.batches.length - 1];
    if (cur && cur.ackSeq === this.lastSeq) {
      cur.ackPackets += n;
      cur.dupAcks += n;
    } else {
      this.batches.push({ ackSeq: this.lastSeq, ackPackets: n, dupAcks: n });
    }
    this.packets += n;
  }

  /** `n` packets acking firstSeq, firstSeq + step, ... (step >= 1). */
  series(firstSeq: number, stepSegs: number, n: number): void {
    if (n <= 0) return;
    if (firstSeq <= this.lastSeq) throw new RangeError(`ACK series start ${firstSeq} not above ${this.lastSeq}`);
    this.advance(firstSeq - this.lastSeq, 1);
    if (n > 1) this.advance(stepSegs, n - 1);
  }

  private advance(stepSegs: number, n: number): void {
    const cur = this.batches[this.batches.length - 1];
    if (cur && cur.dupAcks === 0 && this.stepSegs === stepSegs) {
      cur.ackPackets += n;
      cur.ackSeq += stepSegs * n;
    } else {
      this.batches.push({ ackSeq: this.lastSeq + stepSegs * n, ackPackets: n, dupAcks: 0 });
      this.stepSegs = stepSegs;
    }
    this.lastSeq += stepSegs * n;
    this.packets += n;
  }
}
