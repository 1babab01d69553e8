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

  /** Frames waiting behind the wire now (whole data frames' worth of the serialization backlog). */
  backlogFrames(): number {
    return Math.max(0, this.busyUntilNs - this.sim.nowNs) / (this.frames.dataWireBytes * this.nsPerByte);
  }

  /**
   * dev_queue_xmit(peth0) for `runs`; what does not fit the qdisc is dropped (ACK runs keep their head).
   * The caller's runs keep their counts (a run cut short goes on the wire as a new run): the caller
   * answers the guests' TX requests for every packet it handed over, sent or dropped.
   */
  send(runs: Run[]): void {
    let room = Math.floor(this.txqueuelenFrames - this.backlogFrames());
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
    this.bytesSent += bytes;
    for (const r of out) this.framesSent += r.count;
    const msg: WireMsg = { type: 'WIRE', runs: out, nsPerByte: this.nsPerByte };
    this.sim.send(this.srcActorId, this.dstActorId, this.busyUntilNs + this.latencyNs - now, msg);
  }
}
