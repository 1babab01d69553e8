// The stressor: a native Linux host sending with N iperf TCP connections. Its
// NIC interrupt CPU handles every incoming ACK and, from the ACK softirq, the
// transmission of new segments (tcp_ack → tcp_data_snd_check), so that one
// core's cycles per segment bound the offered load (calibrated on T1).
import type { Actor, Sim, TimerHandle } from '../kernel/sim.ts';
import { type AcksMsg, DATA_FRAME_WIRE_BYTES, type FramesMsg, type LinkDirection } from './link.ts';
import { TcpSender, type TcpSenderOptions } from './tcp/sender.ts';

export interface StressorConfig {
  flows: number;
  clockGHz: number;
  /** Cycles on the stressor's interrupt core per data segment sent (calibrated). */
  txCyclesPerPacket: number;
  /** Cycles per ACK received. */
  ackRxCyclesPerPacket: number;
  /** Most segments one send opportunity puts on the wire (TSO off: still a burst of frames). */
  maxBurstSegs: number;
  tcp: TcpSenderOptions;
}

export class Stressor implements Actor {
  readonly senders: TcpSender[];
  private coreBusyUntilNs = 0;
  coreBusyNs = 0;
  private rtoTimers: (TimerHandle | null)[];
  link!: LinkDirection;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly cfg: StressorConfig,
    private readonly timerActorId: number,
  ) {
    this.senders = Array.from({ length: cfg.flows }, () => new TcpSender(cfg.tcp));
    this.rtoTimers = new Array(cfg.flows).fill(null);
  }

  /** Open the connections: each sends its initial window (staggered by a few µs, as iperf's threads start). */
  start(): void {
    for (let f = 0; f < this.cfg.flows; f++) this.sim.timer(this.timerActorId, 1000 * (f + 1), () => this.pump(f, 0));
  }

  receive(msg: unknown): void {
    const m = msg as AcksMsg;
    const tx = this.senders[m.flow]!;
    let acks = 0;
    for (let i = 0; i < m.batches.length; i += 3) {
      tx.onAck(m.batches[i]!, m.batches[i + 1]!, m.rwndSegs, this.sim.nowNs, m.batches[i + 2]!);
      acks += m.batches[i + 1]!;
    }
    this.pump(m.flow, acks);
  }

  private active = true;

  /** Traffic phases: an inactive stressor sends nothing new (in-flight data still completes). */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) for (let f = 0; f < this.cfg.flows; f++) this.pump(f, 0);
  }

  private cyclesToNs(c: number): number {
    return Math.ceil(c / this.cfg.clockGHz);
  }

  /** Spend core time on `acks` ACKs, then send what the window allows. */
  private pump(flow: number, acks: number): void {
    const now = this.sim.nowNs;
    let t = Math.max(now, this.coreBusyUntilNs);
    const ackNs = this.cyclesToNs(acks * this.cfg.ackRxCyclesPerPacket);
    t += ackNs;
    this.coreBusyNs += ackNs;
    const tx = this.senders[flow]!;
    for (;;) {
      if (!this.active) break;
      const b = tx.nextBurst(now, this.cfg.maxBurstSegs);
      if (!b) break;
      const busy = this.cyclesToNs(b.count * this.cfg.txCyclesPerPacket);
      t += busy;
      this.coreBusyNs += busy;
      const msg: FramesMsg = { type: 'FRAMES', flow, seq: b.firstSeq, count: b.count };
      this.link.send(b.count, DATA_FRAME_WIRE_BYTES, msg, t);
    }
    this.coreBusyUntilNs = t;
    this.armRto(flow);
  }

  private armRto(flow: number): void {
    const tx = this.senders[flow]!;
    const at = tx.rtoDeadlineNs();
    const cur = this.rtoTimers[flow];
    if (cur && at !== null && cur.timeNs === at) return;
    if (cur) this.sim.cancel(cur);
    this.rtoTimers[flow] = null;
    if (at === null) return;
    this.rtoTimers[flow] = this.sim.timer(this.timerActorId, Math.max(0, at - this.sim.nowNs), () => {
      this.rtoTimers[flow] = null;
      tx.onRtoTimer(this.sim.nowNs);
      this.pump(flow, 0);
    });
  }

  stats() {
    const s = this.senders.map((x) => x.stats());
    return {
      retransmits: s.reduce((a, x) => a + x.segsRetransmitted, 0),
      fastRetransmits: s.reduce((a, x) => a + x.fastRetransmits, 0),
      timeouts: s.reduce((a, x) => a + x.timeouts, 0),
      segsSent: s.reduce((a, x) => a + x.segsSent, 0),
    };
  }
}
