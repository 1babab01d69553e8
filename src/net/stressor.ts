// The stressor: a native Linux host sending with N iperf TCP connections. Its
// NIC interrupt CPU handles every incoming ACK and, from the ACK softirq, the
// transmission of new segments (tcp_ack → tcp_data_snd_check), so that one
// core's cycles per segment bound the offered load (calibrated on T1). Each
// iperf client thread writes its -l bytes per write() on a core of its own;
// with small messages those writes can limit what a connection has to send
// (full segments only: with Nagle on, iperf's default, a partial segment waits
// while data is in flight — tcp_nagle_check/Minshall — so at these rates the
// wire carries MSS-sized frames).
import type { Actor, Sim, TimerHandle } from '../kernel/sim.ts';
import { DEFAULT_MSS_BYTES, frameSizes } from './frames.ts';
import type { AcksMsg, FramesMsg, LinkDirection } from './link.ts';
import { TcpSackSender, type SackSenderOptions } from './tcp/sackSender.ts';
import { TcpSender, type TcpSenderOptions } from './tcp/sender.ts';

export type StressorTcpOptions = TcpSenderOptions & SackSenderOptions & { sack: boolean };

export interface StressorConfig {
  flows: number;
  clockGHz: number;
  /** Cycles on the stressor's interrupt core per data segment sent (calibrated). */
  txCyclesPerPacket: number;
  /** Cycles per ACK received. */
  ackRxCyclesPerPacket: number;
  /** Most segments one send opportunity puts on the wire (TSO off: still a burst of frames). */
  maxBurstSegs: number;
  /** Frames the device queue (qdisc + driver TX ring) holds; a segment beyond is refused (tcp_enter_cwr). */
  sendQueueFrames: number;
  /** iperf -l: bytes per write() (may change between traffic phases). */
  messageBytes: number;
  /** Cycles of one write() (sys_write → tcp_sendmsg) on the writing thread's core, and per byte copied from user. */
  writeSyscallCycles: number;
  copyFromUserCyclesPerByte: number;
  /**
   * tcp_wmem[2]: the most a connection's send buffer grows to. write() blocks while sk_wmem_queued (every byte
   * written and not yet ACKed, at its skb's truesize) is at sk_sndbuf, so a writer is never further ahead of
   * snd_una than this (an upper bound: truesize and sndbuf autotuning keep it lower).
   */
  sndbufMaxBytes: number;
  tcp: StressorTcpOptions;
}

/** Segments an app-limited connection waits for before its next send opportunity (bounds the events per segment). */
const APP_WAKE_SEGS = 4;

export class Stressor implements Actor {
  readonly senders: (TcpSender | TcpSackSender)[];
  private coreBusyUntilNs = 0;
  coreBusyNs = 0;
  private rtoTimers: (TimerHandle | null)[];
  private appTimers: (TimerHandle | null)[];
  /** Bytes each writer had written at appBaseNs, and its rate since (bytes per ns). */
  private appBaseBytes: number[];
  private appBaseNs = 0;
  private appRate = 0;
  /** Per writer: the most it may have written (snd_una at its last look + sndbufMaxBytes) until the next ACK frees room. */
  private appCapBytes: number[];
  link!: LinkDirection;
  /** A full segment's frame on the wire (the MSS plus headers, frames.ts). */
  private readonly dataWireBytes: number;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly cfg: StressorConfig,
    private readonly timerActorId: number,
  ) {
    // Linux with SACK (2.6.18 default) recovers with the scoreboard; without, NewReno.
    this.senders = Array.from({ length: cfg.flows }, () => (cfg.tcp.sack ? new TcpSackSender(cfg.tcp) : new TcpSender(cfg.tcp)));
    this.rtoTimers = new Array(cfg.flows).fill(null);
    this.appTimers = new Array(cfg.flows).fill(null);
    this.appBaseBytes = new Array(cfg.flows).fill(0);
    this.appCapBytes = new Array(cfg.flows).fill(cfg.sndbufMaxBytes);
    this.appRate = this.writeRate(cfg.messageBytes);
    this.dataWireBytes = frameSizes(cfg.tcp.mssBytes ?? DEFAULT_MSS_BYTES).dataWireBytes;
  }

  /** Bytes per ns one iperf thread writes: -l bytes per (syscall + copy) at the stressor's clock. */
  private writeRate(messageBytes: number): number {
    const cycles = this.cfg.writeSyscallCycles + messageBytes * this.cfg.copyFromUserCyclesPerByte;
    return cycles > 0 ? (messageBytes * this.cfg.clockGHz) / cycles : Infinity;
  }

  private writtenSegs(flow: number, nowNs: number): number {
    if (!this.active) return this.pausedSegs[flow]!;
    if (this.appRate === Infinity) return Infinity;
    const bytes = this.writtenBytes(flow, nowNs);
    // The writer, blocked at a full send buffer, is woken by this look's ACK (sk_stream_write_space): from now
    // on it may fill up to the new snd_una plus the buffer.
    this.appCapBytes[flow] = this.senders[flow]!.ackedSeq * this.cfg.tcp.mssBytes! + this.cfg.sndbufMaxBytes;
    return Math.floor(bytes / this.cfg.tcp.mssBytes!);
  }

  /**
   * Bytes writer `flow` has written by `nowNs` (active, finite rate): its rate since appBaseNs, but no more than
   * its send buffer took (appCapBytes; sk_stream_memory_free) — a blocked writer's time is not banked.
   */
  private writtenBytes(flow: number, nowNs: number): number {
    const bytes = this.appBaseBytes[flow]! + (nowNs - this.appBaseNs) * this.appRate;
    const cap = this.appCapBytes[flow]!;
    if (bytes <= cap) return bytes;
    this.appBaseBytes[flow] = cap - (nowNs - this.appBaseNs) * this.appRate;
    return cap;
  }

  /** Traffic phases: iperf -l changes (the writers' rate from now on). */
  setMessageBytes(messageBytes: number): void {
    const now = this.sim.nowNs;
    if (this.appRate !== Infinity && this.active) for (let f = 0; f < this.cfg.flows; f++) this.appBaseBytes[f] = this.writtenBytes(f, now);
    this.appBaseNs = now;
    this.appRate = this.writeRate(messageBytes);
  }

  /** Open the connections: each sends its initial window (staggered by a few µs, as iperf's threads start). */
  start(): void {
    for (let f = 0; f < this.cfg.flows; f++) this.sim.call(this.timerActorId, 1000 * (f + 1), this, 'pumpFlow', f);
  }

  /** A connection may send (timer: start, or its writer produced more). */
  pumpFlow(flow: number): void {
    this.pump(flow, 0);
  }

  /** The writer of an app-limited connection has produced more (timer). */
  appWake(flow: number): void {
    this.appTimers[flow] = null;
    this.pump(flow, 0);
  }

  /** A connection's retransmission timer (timer). */
  rtoFire(flow: number): void {
    this.rtoTimers[flow] = null;
    this.senders[flow]!.onRtoTimer(this.sim.nowNs);
    this.pump(flow, 0);
  }

  receive(msg: unknown): void {
    const m = msg as AcksMsg;
    const tx = this.senders[m.flow]!;
    this.setSendBudget(tx);
    let acks = 0;
    for (let i = 0; i < m.batches.length; i += 3) {
      const last = i + 3 >= m.batches.length;
      tx.onAck(m.batches[i]!, m.batches[i + 1]!, m.rwndSegs, this.sim.nowNs, m.batches[i + 2]!, last ? m.sack : undefined);
      acks += m.batches[i + 1]!;
    }
    this.pump(m.flow, acks);
  }

  private active = true;
  /** While inactive: the segments each connection may send, frozen at what it had sent when the phase began. */
  private pausedSegs: number[] = [];

  /**
   * Traffic phases: an inactive stressor sends nothing new (in-flight data still completes). The
   * writers stop (iperf does not write) and resume where they stopped; TCP goes on as it would with
   * nothing more to send: it still takes ACKs and retransmits what is lost of the data in flight.
   */
  setActive(active: boolean): void {
    if (active === this.active) return;
    const now = this.sim.nowNs;
    if (!active) {
      if (this.appRate !== Infinity) for (let f = 0; f < this.cfg.flows; f++) this.appBaseBytes[f] = this.writtenBytes(f, now);
      this.pausedSegs = this.senders.map((tx) => tx.nextSeq);
      for (let f = 0; f < this.cfg.flows; f++) this.senders[f]!.writtenSegs = this.pausedSegs[f]!;
    }
    this.appBaseNs = now;
    this.active = active;
    if (active) for (let f = 0; f < this.cfg.flows; f++) this.pump(f, 0);
  }

  /**
   * Room in the device queue for the segments this send opportunity hands it:
   * the frames not yet serialised when the core gets to them count against it
   * (the link, slower than the core, is what fills it).
   */
  private setSendBudget(tx: TcpSender | TcpSackSender): void {
    const atNs = Math.max(this.sim.nowNs, this.coreBusyUntilNs);
    tx.sendBudgetSegs = Math.max(0, Math.floor(this.cfg.sendQueueFrames - this.link.backlogFrames(atNs, this.dataWireBytes)));
  }

  /**
   * Core time spent by `tNs`: work is booked ahead (coreBusyUntilNs), as one busy stretch ending there, so
   * what lies after `tNs` has not been spent yet (a rate over the measured window stays within 100%).
   */
  coreBusyNsAt(tNs: number): number {
    return this.coreBusyNs - Math.max(0, this.coreBusyUntilNs - tNs);
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
    if (acks === 0) this.setSendBudget(tx);
    tx.writtenSegs = this.writtenSegs(flow, now);
    for (;;) {
      // Inactive, writtenSegs holds new data back; what TCP sends still goes out (retransmissions, and
      // what it already counted as sent while it processed the ACKs: sendAfterAck).
      const b = tx.nextBurst(now, this.cfg.maxBurstSegs);
      if (!b) break;
      const busy = this.cyclesToNs(b.count * this.cfg.txCyclesPerPacket);
      t += busy;
      this.coreBusyNs += busy;
      const msg: FramesMsg = { type: 'FRAMES', flow, seq: b.firstSeq, count: b.count };
      this.link.send(b.count, this.dataWireBytes, msg, t);
    }
    this.coreBusyUntilNs = t;
    this.armRto(flow);
    this.armAppWake(flow, now);
  }

  /** An app-limited connection sends again once its writer has produced a few more segments. */
  private armAppWake(flow: number, now: number): void {
    if (this.appRate === Infinity || !this.active || this.appTimers[flow]) return;
    const tx = this.senders[flow]!;
    if (tx.nextSeq < tx.writtenSegs) return; // not app-limited
    const wantBytes = (tx.nextSeq + APP_WAKE_SEGS) * this.cfg.tcp.mssBytes!;
    // Blocked at a full send buffer: the ACK that frees room wakes it (receive → pump), not its write rate.
    if (wantBytes > this.appCapBytes[flow]!) return;
    const atNs = this.appBaseNs + Math.ceil((wantBytes - this.appBaseBytes[flow]!) / this.appRate);
    this.appTimers[flow] = this.sim.call(this.timerActorId, Math.max(1, atNs - now), this, 'appWake', flow);
  }

  private armRto(flow: number): void {
    const tx = this.senders[flow]!;
    const at = tx.rtoDeadlineNs();
    const cur = this.rtoTimers[flow];
    if (cur && at !== null && cur.timeNs === at) return;
    if (cur) this.sim.cancel(cur);
    this.rtoTimers[flow] = null;
    if (at === null) return;
    this.rtoTimers[flow] = this.sim.call(this.timerActorId, Math.max(0, at - this.sim.nowNs), this, 'rtoFire', flow);
  }

  /** Retransmitted segments and RTO expiries over all connections (the metrics sampler), without building stats(). */
  retransmitsAndTimeouts(): { retransmits: number; timeouts: number; refusals: number } {
    let retransmits = 0;
    let timeouts = 0;
    let refusals = 0;
    for (const x of this.senders) {
      retransmits += x.segsRetransmitted;
      timeouts += x.timeouts;
      refusals += x.localDrops;
    }
    return { retransmits, timeouts, refusals };
  }

  stats() {
    const s = this.senders.map((x) => x.stats());
    return {
      retransmits: s.reduce((a, x) => a + x.segsRetransmitted, 0),
      fastRetransmits: s.reduce((a, x) => a + x.fastRetransmits, 0),
      timeouts: s.reduce((a, x) => a + x.timeouts, 0),
      sackRecoveries: s.reduce((a, x) => a + ((x as { sackRecoveries?: number }).sackRecoveries ?? 0), 0),
      segsSent: s.reduce((a, x) => a + x.segsSent, 0),
      lostRetransmits: s.reduce((a, x) => a + ((x as { lostRetransmits?: number }).lostRetransmits ?? 0), 0),
      localDrops: this.senders.reduce((a, x) => a + x.localDrops, 0),
      rttSumNs: s.reduce((a, x) => a + ((x as { rttSumNs?: number }).rttSumNs ?? 0), 0),
      rttSamples: s.reduce((a, x) => a + ((x as { rttSamples?: number }).rttSamples ?? 0), 0),
    };
  }
}
