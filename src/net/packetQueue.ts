// A FIFO of packets kept as runs (flow, first segment, count) in typed-array
// ring buffers: packets move in batches, drops and partial dequeues split runs.
// A run may carry ACK packets instead of data (fleet hosts): its payload goes
// along, never merges with a neighbour, and splits by ackPayload.ts.
import { splitAck, type AckPayload } from './ackPayload.ts';

export interface Run {
  flow: number;
  seq: number;
  count: number;
  /** ACK packets of `flow` (its receiver's decision); absent for data. */
  ack?: AckPayload;
}

export class PacketQueue {
  private flow: Int32Array;
  private seq: Float64Array;
  private count: Int32Array;
  /** Payloads of ACK runs by slot; null until the first ACK run (data-only queues never allocate it). */
  private acks: (AckPayload | null)[] | null = null;
  private head = 0;
  private runs = 0;
  /** Packets queued. */
  length = 0;

  constructor(
    /** Capacity in packets (drop-tail beyond it). */
    readonly capacityPackets: number,
    runSlots = 64,
  ) {
    this.flow = new Int32Array(runSlots);
    this.seq = new Float64Array(runSlots);
    this.count = new Int32Array(runSlots);
  }

  get free(): number {
    return this.capacityPackets - this.length;
  }

  private grow(): void {
    const n = this.flow.length;
    const f = new Int32Array(n * 2);
    const s = new Float64Array(n * 2);
    const c = new Int32Array(n * 2);
    const a = this.acks ? new Array<AckPayload | null>(n * 2).fill(null) : null;
    for (let i = 0; i < this.runs; i++) {
      const j = (this.head + i) % n;
      f[i] = this.flow[j]!;
      s[i] = this.seq[j]!;
      c[i] = this.count[j]!;
      if (a) a[i] = this.acks![j]!;
    }
    this.flow = f;
    this.seq = s;
    this.count = c;
    this.acks = a;
    this.head = 0;
  }

  /**
   * Enqueue up to `count` packets of a run; returns how many fit (the rest
   * are dropped by the caller). An ACK run that only partly fits keeps its
   * first packets; `ack` is then left holding the dropped tail.
   */
  push(flow: number, seq: number, count: number, ack?: AckPayload): number {
    const n = Math.min(count, this.capacityPackets - this.length);
    if (n <= 0) return 0;
    const cap = this.flow.length;
    if (ack === undefined && this.runs > 0) {
      const last = (this.head + this.runs - 1) % cap;
      if (this.flow[last] === flow && this.seq[last]! + this.count[last]! === seq && !this.acks?.[last]) {
        this.count[last]! += n;
        this.length += n;
        return n;
      }
    }
    if (this.runs === cap) this.grow();
    const i = (this.head + this.runs) % this.flow.length;
    this.flow[i] = flow;
    this.seq[i] = seq;
    this.count[i] = n;
    if (ack !== undefined) {
      if (!this.acks) this.acks = new Array<AckPayload | null>(this.flow.length).fill(null);
      this.acks[i] = n < count ? splitAck(ack, n) : ack;
    } else if (this.acks) this.acks[i] = null;
    this.runs++;
    this.length += n;
    return n;
  }

  /** Dequeue up to `max` packets as runs, appended to `out`; returns the packet count. */
  pop(max: number, out: Run[]): number {
    let got = 0;
    while (got < max && this.runs > 0) {
      const i = this.head;
      const take = Math.min(max - got, this.count[i]!);
      const ack = this.acks?.[i];
      if (ack) {
        out.push({ flow: this.flow[i]!, seq: this.seq[i]!, count: take, ack: take === this.count[i] ? ack : splitAck(ack, take) });
      } else {
        out.push({ flow: this.flow[i]!, seq: this.seq[i]!, count: take });
      }
      got += take;
      if (take === this.count[i]) {
        if (ack) this.acks![i] = null;
        this.head = (this.head + 1) % this.flow.length;
        this.runs--;
      } else {
        this.count[i]! -= take;
        this.seq[i]! += take;
      }
    }
    this.length -= got;
    return got;
  }
}
