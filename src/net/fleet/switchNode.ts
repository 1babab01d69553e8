// A store-and-forward, output-queued Ethernet switch (a rack's top-of-rack
// switch, or the aggregation switch joining the racks). A wire message's
// frames arrived back to back over their input link; each is looked up and
// enqueued at its output port a forwarding latency after its last bit arrived,
// admitted or dropped (drop-tail, outputPorts.ts), and serialised at the
// port's rate; what a port admitted of one message travels on as one message,
// delivered when its last frame reaches the next hop, its frames as far apart
// as the port sent them (a port faster than the input keeps the input's gaps).
import { createSwitchMachine } from '../../../actors/switch.ts';
import type { Actor, Sim } from '../../kernel/sim.ts';
import { XStateActor } from '../../kernel/xstateHost.ts';
import { splitAck } from '../ackPayload.ts';
import type { Run } from '../packetQueue.ts';
import type { BufferSpec, FlowTable } from './config.ts';
import { runDestHost } from './config.ts';
import { OutputPorts } from './outputPorts.ts';
import type { FrameSizes } from '../frames.ts';
import { ACK_WIRE_BYTES, type WireMsg } from './wire.ts';

export interface SwitchPortSpec {
  /** Actor the port's link delivers to (a host's NIC or another switch). */
  nextHop: number;
  rateBitsPerSec: number;
  latencyNs: number;
}

export interface SwitchNodeSpec {
  name: string;
  ports: SwitchPortSpec[];
  forwardingLatencyNs: number;
  buffer: BufferSpec;
  /** Output port toward a destination host. */
  portOfHost: Int32Array;
}

export class SwitchNode implements Actor {
  readonly ports: OutputPorts;
  readonly machine: XStateActor<ReturnType<typeof createSwitchMachine>>;
  /** Busy periods in which a queue overflowed, and virtual time spent in them (closed at each idle). */
  congestionEpisodes = 0;
  congestedNs = 0;
  private congestedSinceNs = -1;
  framesIn = 0;
  /** Per output port: runs admitted from the message being handled (reused). */
  private readonly out: Run[][];
  /** Smallest delay a message on each port may take (the partitions' lookahead relies on it). */
  private readonly minDelayNs: number[];
  /** Per output port, for the message being handled: first frame's end on the link, the last end, wire bytes. */
  private readonly msgFirstEndNs: Float64Array;
  private readonly msgEndNs: Float64Array;
  private readonly msgWireBytes: Float64Array;
  /** Longest a message's first frame came in before the message was handled: how far back frames can be dated. */
  private maxSpanNs = 0;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    readonly spec: SwitchNodeSpec,
    private readonly flows: FlowTable,
    private readonly frames: FrameSizes,
  ) {
    this.ports = new OutputPorts(spec.ports.length, spec.ports.map((p) => p.rateBitsPerSec), spec.buffer);
    this.out = spec.ports.map(() => []);
    this.msgFirstEndNs = new Float64Array(spec.ports.length);
    this.msgEndNs = new Float64Array(spec.ports.length);
    this.msgWireBytes = new Float64Array(spec.ports.length);
    this.minDelayNs = spec.ports.map((p) => spec.forwardingLatencyNs + Math.floor((ACK_WIRE_BYTES * 8e9) / p.rateBitsPerSec) + p.latencyNs);
    this.machine = new XStateActor(id, sim, createSwitchMachine({
      drainMs: () => Math.max(1, this.drainNs()) / 1e6,
      drained: () => this.drainNs() <= 0,
      congested: () => {
        this.congestionEpisodes++;
        this.congestedSinceNs = this.sim.nowNs;
      },
      idle: () => this.closeCongestion(),
    }));
  }

  /** Time until the longest output queue has drained. */
  private drainNs(): number {
    let t = 0;
    for (let p = 0; p < this.ports.ports; p++) t = Math.max(t, this.ports.busyUntilNs[p]! - this.sim.nowNs);
    return Math.ceil(t);
  }

  private closeCongestion(): void {
    if (this.congestedSinceNs < 0) return;
    this.congestedNs += this.sim.nowNs - this.congestedSinceNs;
    this.congestedSinceNs = -1;
  }

  receive(msg: unknown): void {
    const m = msg as WireMsg;
    const now = this.sim.nowNs;
    const ports = this.ports;
    const fwd = this.spec.forwardingLatencyNs;
    // Frames arrived back to back before now: the last bit of the message's last frame arrived now.
    let bytesAfter = 0;
    const fr = this.frames;
    for (const r of m.runs) bytesAfter += r.count * (r.ack ? fr.ackWireBytes : fr.dataWireBytes);
    if (m.runs.length > 0) {
      const firstWire = m.runs[0]!.ack ? fr.ackWireBytes : fr.dataWireBytes;
      this.maxSpanNs = Math.max(this.maxSpanNs, (bytesAfter - firstWire) * m.nsPerByte);
    }
    const shared = ports.buffer.mode === 'shared';
    let dropped = false;
    for (const r of m.runs) {
      const isAck = r.ack !== undefined;
      const wire = isAck ? fr.ackWireBytes : fr.dataWireBytes;
      const buf = isAck ? fr.ackBufferBytes : fr.dataBufferBytes;
      const p = this.spec.portOfHost[runDestHost(this.flows, r.flow, isAck)]!;
      const sink = this.out[p]!;
      this.framesIn += r.count;
      // Admitted frames as sub-runs (a drop-tail loss leaves a hole); an ACK run keeps its admitted head only.
      let runStart = -1;
      let admittedAcks = 0;
      let ackCut = false;
      for (let j = 0; j < r.count; j++) {
        bytesAfter -= wire;
        const enqNs = now - bytesAfter * m.nsPerByte + fwd;
        // The shared buffer's occupancy when this frame comes in: what every port still holds then
        // (frames of this message admitted earlier included, those already sent not).
        const ok = !ackCut && ports.admitFrame(p, enqNs, buf, wire, shared ? ports.sharedOccupancyBytes(enqNs) : 0);
        if (ok) {
          if (this.msgWireBytes[p] === 0) this.msgFirstEndNs[p] = ports.lastEndNs;
          this.msgEndNs[p] = Math.max(this.msgEndNs[p]!, ports.lastEndNs);
          this.msgWireBytes[p]! += wire;
          if (isAck) admittedAcks++;
          else if (runStart < 0) runStart = j;
          continue;
        }
        if (isAck) {
          if (!ackCut) ackCut = true;
          else {
            ports.dropFrames[p]! += 1;
            ports.dropBytes[p]! += buf;
          }
        }
        dropped = true;
        if (!isAck && runStart >= 0) {
          sink.push({ flow: r.flow, seq: r.seq + runStart, count: j - runStart });
          runStart = -1;
        }
      }
      if (isAck) {
        if (admittedAcks > 0) sink.push({ flow: r.flow, seq: 0, count: admittedAcks, ack: admittedAcks < r.count ? splitAck(r.ack!, admittedAcks) : r.ack! });
      } else if (runStart >= 0) sink.push({ flow: r.flow, seq: r.seq + runStart, count: r.count - runStart });
    }
    // No later message can date a frame before this (with a margin): the ports forget the intervals that ended earlier.
    const horizonNs = now - 2 * this.maxSpanNs - 1;
    for (let p = 0; p < this.out.length; p++) {
      const bytes = this.msgWireBytes[p]!;
      if (bytes === 0) continue;
      this.msgWireBytes[p] = 0;
      const firstEndNs = this.msgFirstEndNs[p]!;
      const endNs = this.msgEndNs[p]!;
      this.msgEndNs[p] = 0;
      ports.prune(p, horizonNs);
      const runs = this.out[p]!;
      if (runs.length === 0) continue;
      this.out[p] = [];
      const spec = this.spec.ports[p]!;
      const deliverNs = Math.max(Math.ceil(endNs) + spec.latencyNs, now + this.minDelayNs[p]!);
      // The next hop dates the frames back from the last one at this spacing: the port's rate, or slower where it idled between them.
      const firstWire = runs[0]!.ack ? fr.ackWireBytes : fr.dataWireBytes;
      const nsPerByte = bytes > firstWire ? Math.max(ports.nsPerByte[p]!, (endNs - firstEndNs) / (bytes - firstWire)) : ports.nsPerByte[p]!;
      const fwdMsg: WireMsg = { type: 'WIRE', runs, nsPerByte };
      this.sim.send(this.id, spec.nextHop, deliverNs - now, fwdMsg);
    }
    const mode = this.machine.value;
    if (mode === 'idle') this.machine.send({ type: 'FRAMES' });
    if (dropped && this.machine.value === 'forwarding') this.machine.send({ type: 'OVERFLOW' });
  }

  /** Start measuring afresh (end of warm-up). */
  resetCounters(): void {
    this.ports.resetCounters(this.sim.nowNs);
    this.framesIn = 0;
    this.congestedNs = 0;
    // An episode still open counts in the new window, as its congested time does.
    this.congestionEpisodes = this.congestedSinceNs >= 0 ? 1 : 0;
    if (this.congestedSinceNs >= 0) this.congestedSinceNs = this.sim.nowNs;
  }

  /** Congested time so far, counting an episode still open at `nowNs`. */
  congestedTimeNs(nowNs: number): number {
    return this.congestedNs + (this.congestedSinceNs >= 0 ? nowNs - this.congestedSinceNs : 0);
  }
}
