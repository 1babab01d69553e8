// A full-duplex Ethernet link direction: frames serialise at line rate, FIFO,
// then propagate. A batch of n frames occupies n × (wire bytes × 8 / rate).
import type { Sim } from '../kernel/sim.ts';

export class LinkDirection {
  private busyUntilNs = 0;
  framesSent = 0;
  bytesOnWire = 0;
  /** Serialization intervals not yet folded into busyFoldedNs, merged when back to back. */
  private busyStarts: number[] = [];
  private busyEnds: number[] = [];
  /** Busy time since markNs of intervals that ended before the last fold. */
  private busyFoldedNs = 0;
  private markNs = 0;

  constructor(
    private readonly sim: Sim,
    /** Actor that transmits (ordering key of the deliveries). */
    private readonly srcActorId: number,
    private readonly dstActorId: number,
    readonly rateBitsPerSec: number,
    readonly propagationNs: number,
  ) {}

  /** Frames of `wireBytes` still waiting to be serialised at `atNs` (the device queue's occupancy then). */
  backlogFrames(atNs: number, wireBytes: number): number {
    return Math.max(0, this.busyUntilNs - atNs) / ((wireBytes * 8 * 1e9) / this.rateBitsPerSec);
  }

  /** Serialise `frames` frames of `wireBytes`; deliver `msg` when the last one has arrived. */
  send(frames: number, wireBytes: number, msg: unknown, readyNs = this.sim.nowNs): number {
    const now = this.sim.nowNs;
    const start = Math.max(readyNs, now, this.busyUntilNs);
    const serNs = Math.ceil((frames * wireBytes * 8 * 1e9) / this.rateBitsPerSec);
    this.busyUntilNs = start + serNs;
    this.foldBefore(now);
    const k = this.busyEnds.length - 1;
    if (k >= 0 && this.busyEnds[k] === start) this.busyEnds[k] = this.busyUntilNs;
    else {
      this.busyStarts.push(start);
      this.busyEnds.push(this.busyUntilNs);
    }
    this.framesSent += frames;
    this.bytesOnWire += frames * wireBytes;
    const arriveNs = this.busyUntilNs + this.propagationNs;
    this.sim.send(this.srcActorId, this.dstActorId, arriveNs - now, msg);
    return arriveNs;
  }

  private overlapNs(s: number, e: number, to: number): number {
    return Math.max(0, Math.min(e, to) - Math.max(s, this.markNs));
  }

  /** Fold intervals that ended before `t` into the running busy time. */
  private foldBefore(t: number): void {
    let i = 0;
    while (i < this.busyEnds.length && this.busyEnds[i]! <= t) {
      this.busyFoldedNs += this.overlapNs(this.busyStarts[i]!, this.busyEnds[i]!, Infinity);
      i++;
    }
    if (i > 0) {
      // Shift the rest down in place (splice would allocate the removed part).
      const n = this.busyEnds.length;
      for (let k = i; k < n; k++) {
        this.busyStarts[k - i] = this.busyStarts[k]!;
        this.busyEnds[k - i] = this.busyEnds[k]!;
      }
      this.busyStarts.length = n - i;
      this.busyEnds.length = n - i;
    }
  }

  /** Start measuring utilization afresh from `nowNs` (end of warm-up). */
  mark(nowNs: number): void {
    this.foldBefore(nowNs);
    this.markNs = nowNs;
    this.busyFoldedNs = 0;
  }

  /** Fraction of [mark, endNs] the link spent serialising frames (frames still to be sent later do not count). */
  utilization(endNs: number): number {
    const span = endNs - this.markNs;
    if (span <= 0) return 0;
    let busy = this.busyFoldedNs;
    for (let i = 0; i < this.busyEnds.length; i++) busy += this.overlapNs(this.busyStarts[i]!, this.busyEnds[i]!, endNs);
    return busy / span;
  }
}

/** Wire messages between hosts (msgpackr-friendly plain objects). */
export interface FramesMsg {
  type: 'FRAMES';
  flow: number;
  seq: number;
  count: number;
}

export interface AcksMsg {
  type: 'ACKS';
  flow: number;
  /** [ackSeq, ackPackets, dupAcks] triples, in order. */
  batches: number[];
  rwndSegs: number;
  /** SACK blocks of the last ACK, [start, end) pairs (omitted without SACK). */
  sack?: number[];
}
