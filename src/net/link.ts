// A full-duplex Ethernet link direction: frames serialise at line rate, FIFO,
// then propagate. A batch of n frames occupies n × (wire bytes × 8 / rate).
import type { Sim } from '../kernel/sim.ts';

/** 1500-byte MTU frame on the wire: preamble 8 + header 14 + 1500 + FCS 4 + gap 12 = 1538 bytes. */
export const DATA_FRAME_WIRE_BYTES = 1538;
/** Minimum frame (an ACK): 64 bytes + preamble 8 + gap 12. */
export const ACK_FRAME_WIRE_BYTES = 84;

export class LinkDirection {
  private busyUntilNs = 0;
  framesSent = 0;
  bytesOnWire = 0;

  constructor(
    private readonly sim: Sim,
    /** Actor that transmits (ordering key of the deliveries). */
    private readonly srcActorId: number,
    private readonly dstActorId: number,
    readonly rateBitsPerSec: number,
    readonly propagationNs: number,
  ) {}

  /** Serialise `frames` frames of `wireBytes`; deliver `msg` when the last one has arrived. */
  send(frames: number, wireBytes: number, msg: unknown, readyNs = this.sim.nowNs): number {
    const now = this.sim.nowNs;
    const start = Math.max(readyNs, now, this.busyUntilNs);
    const serNs = Math.ceil((frames * wireBytes * 8 * 1e9) / this.rateBitsPerSec);
    this.busyUntilNs = start + serNs;
    this.framesSent += frames;
    this.bytesOnWire += frames * wireBytes;
    const arriveNs = this.busyUntilNs + this.propagationNs;
    this.sim.send(this.srcActorId, this.dstActorId, arriveNs - now, msg);
    return arriveNs;
  }

  /** Fraction of time busy so far. */
  utilization(nowNs: number): number {
    return nowNs > 0 ? (this.bytesOnWire * 8 * 1e9) / this.rateBitsPerSec / nowNs : 0;
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
}
