// Frames between fleet hosts and switches: a wire message carries the runs a
// NIC (or a switch port) put on the link back to back — data segments and ACK
// packets of many flows — and is delivered when its last frame has arrived.
// A host's NIC transmit (ixgb_xmit_frame behind peth0's qdisc) serialises at
// line rate after the link's latency (DMA, PHY, cable).
import type { Sim } from '../../kernel/sim.ts';
import { splitAck } from '../ackPayload.ts';
import { DEFAULT_FRAMES, type FrameSizes } from '../frames.ts';
import type { Run } from '../packetQueue.ts';

/** A pure ACK on the wire and in a switch buffer (the same for every MSS; data frames follow the MSS, frames.ts). */
export const ACK_WIRE_BYTES = DEFAULT_FRAMES.ackWireBytes;
export const ACK_BUFFER_BYTES = DEFAULT_FRAMES.ackBufferBytes;

export interface WireMsg {
  type: 'WIRE';
  runs: Run[];
  /** Serialization time per byte of the link it came over (the receiver spreads the frames' arrivals back by it). */
  nsPerByte: number;
}

export const wireBytes = (r: Run, frames: FrameSizes) => r.count * (r.ack ? frames.ackWireBytes : frames.dataWireBytes);

/** Smallest delay a frame can take over a link: one minimum frame's serialization (floored) plus its latency. */
export function minLinkDelayNs(rateBitsPerSec: number, latencyNs: number): number {
  return Math.floor((ACK_WIRE_BYTES * 8e9) / rateBitsPerSec) + latencyNs;
}

/** A host's transmit side of its link to the ToR: peth0's qdisc (txqueuelen frames, drop-tail) and the wire. */
export class WireLink {
  private busyUntilNs = 0;
  readonly nsPerByte: number;
  framesSent = 0;
  bytesSent = 0;
  /** Frames peth0's qdisc dropped (the link was txqueuelen frames behind). */
  qdiscDrops = 0;
  /**
   * The runs not yet serialised, oldest first (from queuedHead on): when each one's last frame ends, its
   * frames, one frame's time; and their frames in all. The qdisc's limit counts packets whatever their
   * size, so an ACK takes a place as a data frame does.
   */
  private queuedEndNs: number[] = [];
  private queuedFrames: number[] = [];
  private queuedFrameNs: number[] = [];
  private queuedHead = 0;
  private queuedTotal = 0;

  constructor(
    private readonly sim: Sim,
    private readonly srcActorId: number,
    private readonly dstActorId: number,
    rateBitsPerSec: number,
    private readonly latencyNs: number,
    /** peth0's tx_queue_len (1000 in 2.6.18 for Ethernet). */
    private readonly txqueuelenFrames: number,
    private readonly frames: FrameSizes,
  ) {
    this.nsPerByte = 8e9 / rateBitsPerSec;
  }

  /**
   * Packets in peth0's qdisc and on the NIC now: every frame whose serialisation has not ended. Runs go
   * on the wire back to back, so only the oldest unfinished run can be part sent.
   */
  backlogPackets(): number {
    const now = this.sim.nowNs;
    const end = this.queuedEndNs;
    let h = this.queuedHead;
    while (h < end.length && end[h]! <= now) this.queuedTotal -= this.queuedFrames[h++]!;
    if (h === end.length) {
      end.length = 0;
      this.queuedFrames.length = 0;
      this.queuedFrameNs.length = 0;
      this.queuedHead = 0;
      return 0;
    }
    this.queuedHead = h;
    const head = this.queuedFrames[h]!;
    return this.queuedTotal - head + Math.min(head, Math.ceil((end[h]! - now) / this.queuedFrameNs[h]!));
  }

  private queueRuns(runs: readonly Run[], startNs: number, endNs: number): void {
    if (this.queuedHead > 1024 && 2 * this.queuedHead > this.queuedEndNs.length) {
      const h = this.queuedHead;
      this.queuedEndNs = this.queuedEndNs.slice(h);
      this.queuedFrames = this.queuedFrames.slice(h);
      this.queuedFrameNs = this.queuedFrameNs.slice(h);
      this.queuedHead = 0;
    }
    let t = startNs;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i]!;
      const frameNs = (r.ack ? this.frames.ackWireBytes : this.frames.dataWireBytes) * this.nsPerByte;
      t += r.count * frameNs;
      this.queuedEndNs.push(i === runs.length - 1 ? endNs : t);
      this.queuedFrames.push(r.count);
      this.queuedFrameNs.push(frameNs);
      this.queuedTotal += r.count;
    }
  }

  /**
   * dev_queue_xmit(peth0) for `runs`; what does not fit the qdisc is dropped (ACK runs keep their head).
   * The caller's runs keep their counts (a run cut short goes on the wire as a new run): the caller
   * answers the guests' TX requests for every packet it handed over, sent or dropped.
   */
  send(runs: Run[]): void {
    let room = this.txqueuelenFrames - this.backlogPackets();
    const out: Run[] = [];
    let bytes = 0;
    for (let r of runs) {
      if (room <= 0) {
        this.qdiscDrops += r.count;
        continue;
      }
      if (r.count > room) {
        this.qdiscDrops += r.count - room;
        // The head goes on (an ACK run's head payload); the dropped tail is discarded.
        r = r.ack ? { flow: r.flow, seq: r.seq, count: room, ack: splitAck(r.ack, room) } : { flow: r.flow, seq: r.seq, count: room };
      }
      room -= r.count;
      bytes += wireBytes(r, this.frames);
      out.push(r);
    }
    if (out.length === 0) return;
    const now = this.sim.nowNs;
    const start = Math.max(now, this.busyUntilNs);
    this.busyUntilNs = start + Math.ceil(bytes * this.nsPerByte);
    this.queueRuns(out, start, this.busyUntilNs);
    this.bytesSent += bytes;
    for (const r of out) this.framesSent += r.count;
    const msg: WireMsg = { type: 'WIRE', runs: out, nsPerByte: this.nsPerByte };
    this.sim.send(this.srcActorId, this.dstActorId, this.busyUntilNs + this.latencyNs - now, msg);
  }
}
