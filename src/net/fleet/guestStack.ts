// The TCP endpoints of one DomU in a fleet: a Linux 2.6.18 sender (SACK/FACK,
// BIC, RTO as the stressor's) for every flow it sends and a receiver (delayed
// ACKs, SACK, autotuning) for every flow it receives, with their timers, the
// ACKs and sends waiting for the transmit softirq, and the applications'
// reads and writes (iperf's bulk writers here; requests, responses and incast
// rounds in requestApps.ts). The work these do on the guest's CPUs is charged
// by guestWork.ts; this file holds the state and what a completed piece of
// work does to it.
import type { Sim, TimerHandle } from '../../kernel/sim.ts';
import { ackTriples, type AckPayload } from '../ackPayload.ts';
import type { Run } from '../packetQueue.ts';
import { TcpReceiver, type TcpReceiverOptions } from '../tcp/receiver.ts';
import { handshakeRtoNs } from '../tcp/rtoEstimator.ts';
import { TcpSackSender, type SackSenderOptions } from '../tcp/sackSender.ts';
import { pathRttNs, ROLE, type FleetConfig } from './config.ts';
import { RequestApps } from './requestApps.ts';

export interface StackOptions {
  mssBytes: number;
  sender: SackSenderOptions;
  receiver: TcpReceiverOptions;
  /** tcp_wmem[1] and [2]: the send buffer starts at the first and autotunes toward the second. */
  wmemDefaultBytes: number;
  wmemMaxBytes: number;
}

/** Skb memory per queued full segment (advmss + MAX_TCP_HEADER + 16 + sizeof(sk_buff)), as tcp_new_space counts it. */
const SND_SEG_MEM = 1920;

/** A write the application has decided on (a request or a response), waiting for its CPU. */
interface AppWrite {
  sender: number;
  segs: number;
}

export class GuestStack {
  readonly sendFlows: number[] = [];
  readonly senders: TcpSackSender[] = [];
  readonly recvFlows: number[] = [];
  readonly receivers: TcpReceiver[] = [];
  private readonly sendIdx = new Map<number, number>();
  private readonly recvIdx = new Map<number, number>();
  /** Per sender: bytes the application has written (bulk writers and requests/responses). */
  writtenBytes: number[] = [];
  private rtoTimers: (TimerHandle | null)[] = [];
  private delackTimers: (TimerHandle | null)[] = [];
  /** Per receiver: bytes the application has read. */
  readBytes: number[] = [];
  /** ACK runs waiting for the transmit softirq. */
  ackOut: Run[] = [];
  /** Senders that may have segments to send (tcp_data_snd_check pending), FIFO. */
  wantTx: number[] = [];
  private wanting: Uint8Array = new Uint8Array(0);
  /** Per application (traffic pattern): on in its current phase, and its writers' -l. */
  appActive: boolean[];
  appMessageBytes: number[];
  /** Decided writes (requests, responses) not yet done. */
  writes: AppWrite[] = [];
  /** Requests, responses and incast rounds of this guest's applications. */
  readonly requests: RequestApps;
  /** Results. */
  /** Application bytes read (goodput): whole segments for bulk data, the messages' own sizes for requests and responses. */
  bytesRead = 0;
  /** Per receiving flow: application bytes per byte of segment read. */
  private readonly appBytesPerByte: number[];

  constructor(
    private readonly sim: Sim,
    private readonly cfg: FleetConfig,
    readonly host: number,
    readonly guest: number,
    private readonly timerActorId: number,
    private readonly opts: StackOptions,
    /** The guest's transmit softirq (or an application) has work: wake that VCPU. */
    readonly kick: (what: 'net' | { appSender: number } | { appReceiver: number }) => void,
  ) {
    const t = cfg.flows;
    for (let f = 0; f < t.count; f++) {
      if (t.srcHost[f] === host && t.srcGuest[f] === guest) {
        this.sendIdx.set(f, this.senders.length);
        this.sendFlows.push(f);
        // The SYN exchange's RTT sample is the path's round trip (tcp_ack of the SYN-ACK), at least the jiffy a LAN
        // round trip counts as: a path longer than TCP_RTO_MIN would otherwise time out every first segment.
        const handshakeRttNs = Math.max(opts.sender.handshakeRttNs ?? 0, pathRttNs(cfg, t.srcHost[f]!, t.dstHost[f]!));
        this.senders.push(new TcpSackSender({ ...opts.sender, handshakeRttNs }));
      }
      if (t.dstHost[f] === host && t.dstGuest[f] === guest) {
        this.recvIdx.set(f, this.receivers.length);
        this.recvFlows.push(f);
        // Its idle test's RTO comes from the same handshake sample (only a path longer than a jiffy changes it).
        const synRttNs = pathRttNs(cfg, t.srcHost[f]!, t.dstHost[f]!);
        const lan = opts.sender.handshakeRttNs ?? 0;
        const rto = { linux: true, granularityNs: opts.sender.granularityNs, rtoMinNs: opts.sender.rtoMinNs };
        this.receivers.push(new TcpReceiver(synRttNs > lan ? { ...opts.receiver, idleQuickAckNs: handshakeRtoNs(rto, synRttNs) } : opts.receiver));
      }
    }
    this.writtenBytes = this.senders.map(() => 0);
    this.rtoTimers = this.senders.map(() => null);
    this.delackTimers = this.receivers.map(() => null);
    this.readBytes = this.receivers.map(() => 0);
    // Messages travel as whole segments; goodput counts the application's bytes in them (a 1-byte response is 1 byte).
    this.appBytesPerByte = this.recvFlows.map((f) => {
      const a = cfg.apps[t.app[f]!]!;
      const role = t.role[f];
      if (role === ROLE.request) return a.requestBytes / (a.requestSegs * opts.mssBytes);
      if (role === ROLE.response) return a.responseBytes / (a.responseSegs * opts.mssBytes);
      return 1;
    });
    this.wanting = new Uint8Array(this.senders.length);
    this.appActive = cfg.apps.map(() => true);
    this.appMessageBytes = cfg.apps.map((a) => a.messageBytes);
    this.requests = new RequestApps(sim, cfg, this, this.sendFlows, this.recvFlows, this.sendIdx, this.recvIdx);
  }

  get mssBytes(): number {
    return this.opts.mssBytes;
  }

  appOfSender(s: number): number {
    return this.cfg.flows.app[this.sendFlows[s]!]!;
  }

  isBulkSender(s: number): boolean {
    return this.cfg.flows.role[this.sendFlows[s]!] === ROLE.bulk;
  }

  /** Start: every client issues its first request, every aggregator its first round, the bulk writers write. */
  startApps(): void {
    this.requests.start();
    for (let s = 0; s < this.senders.length; s++) if (this.isBulkSender(s)) this.kick({ appSender: s });
  }

  /** Traffic phases: an application switched on or off (and its writers' -l). */
  setAppPhase(app: number, active: boolean, messageBytes: number): void {
    const was = this.appActive[app]!;
    this.appActive[app] = active;
    this.appMessageBytes[app] = messageBytes;
    if (!active || was) return;
    this.requests.resume(app);
    for (let s = 0; s < this.senders.length; s++) if (this.isBulkSender(s) && this.appOfSender(s) === app) this.kick({ appSender: s });
  }

  queueWrite(s: number, segs: number): void {
    this.writes.push({ sender: s, segs });
    this.kick({ appSender: s });
  }

  // ---- sending ------------------------------------------------------

  /** Segments a bulk writer may still write: the send buffer as tcp_new_space grows it with cwnd. */
  sndbufRoomSegs(s: number): number {
    const tx = this.senders[s]!;
    const bufSegs = Math.min(this.opts.wmemMaxBytes, Math.max(this.opts.wmemDefaultBytes, SND_SEG_MEM * 2 * Math.max(tx.cwndSegs, 4))) / SND_SEG_MEM;
    const queuedSegs = this.writtenBytes[s]! / this.opts.mssBytes - tx.ackedSeq;
    // sk_stream_memory_free is sk_wmem_queued < sk_sndbuf: a queue with no whole segment left takes more whatever
    // the buffer's size (the model sends whole segments only, so a tail under one MSS would otherwise wait for ever).
    if (queuedSegs < 1 && bufSegs - queuedSegs < 1) return 1;
    return Math.floor(bufSegs - queuedSegs);
  }

  /** The application wrote `bytes` on sender s (a write() completed): TCP may send them. */
  written(s: number, bytes: number): void {
    this.writtenBytes[s]! += bytes;
    this.senders[s]!.writtenSegs = Math.floor(this.writtenBytes[s]! / this.opts.mssBytes + 1e-9);
    this.wantSend(s);
  }

  wantSend(s: number): void {
    if (this.wanting[s]) return;
    this.wanting[s] = 1;
    this.wantTx.push(s);
    this.kick('net');
  }

  /** Pop the next sender that wants to send (FIFO); -1 if none. */
  nextWanting(): number {
    const s = this.wantTx.shift();
    if (s === undefined) return -1;
    this.wanting[s] = 0;
    return s;
  }

  /** The transmit work sent what sender s allowed: re-arm its retransmission timer. */
  armRto(s: number): void {
    const tx = this.senders[s]!;
    const at = tx.rtoDeadlineNs();
    const cur = this.rtoTimers[s];
    if (cur && at !== null && cur.timeNs === at) return;
    if (cur) this.sim.cancel(cur);
    this.rtoTimers[s] = at === null ? null : this.sim.call(this.timerActorId, Math.max(0, at - this.sim.nowNs), this, 'rtoFire', s);
  }

  /** A sender's retransmission timer (timer). */
  rtoFire(s: number): void {
    this.rtoTimers[s] = null;
    this.senders[s]!.onRtoTimer(this.sim.nowNs);
    this.armRto(s);
    this.wantSend(s);
  }

  /** ACK runs of our senders' flows arrived (the NAPI poll): tcp_ack, then tcp_data_snd_check. */
  acksIn(r: Run): void {
    const s = this.sendIdx.get(r.flow);
    if (s === undefined) return;
    const tx = this.senders[s]!;
    const a = r.ack!;
    const now = this.sim.nowNs;
    for (let i = 0; i < a.batches.length; i += 3) {
      const last = i + 3 >= a.batches.length;
      tx.onAck(a.batches[i]!, a.batches[i + 1]!, a.rwndSegs, now, a.batches[i + 2]!, last ? a.sack : undefined);
    }
    this.armRto(s);
    this.wantSend(s);
    if (this.isBulkSender(s) && this.appActive[this.appOfSender(s)]!) this.kick({ appSender: s });
  }

  // ---- receiving ----------------------------------------------------

  /** Data segments arrived (the NAPI poll): tcp_v4_rcv; the ACKs go out through the transmit softirq. */
  dataIn(r: Run): void {
    const k = this.recvIdx.get(r.flow);
    if (k === undefined) return;
    const rx = this.receivers[k]!;
    const from = rx.lastAckSeq;
    const d = rx.onData(r.seq, r.count, this.sim.nowNs);
    if (d.ackPackets > 0) this.queueAck(r.flow, from, d);
    this.armDelack(k);
    if (rx.unread > 0) this.kick({ appReceiver: k });
  }

  private queueAck(flow: number, fromSeq: number, d: { ackPackets: number; batches: { ackSeq: number; ackPackets: number; dupAcks: number }[]; rwndSegs: number; sack?: number[] }): void {
    const ack: AckPayload = { fromSeq, batches: ackTriples(d), rwndSegs: d.rwndSegs };
    if (d.sack && d.sack.length > 0) ack.sack = d.sack;
    this.ackOut.push({ flow, seq: 0, count: d.ackPackets, ack });
    this.kick('net');
  }

  private armDelack(k: number): void {
    const at = this.receivers[k]!.delackDeadlineNs();
    const cur = this.delackTimers[k];
    if (cur) {
      if (at !== null && cur.timeNs === at) return;
      this.sim.cancel(cur);
      this.delackTimers[k] = null;
    }
    if (at !== null) this.delackTimers[k] = this.sim.call(this.timerActorId, Math.max(0, at - this.sim.nowNs), this, 'delackFire', k);
  }

  /** A receiver's delayed-ACK timer (timer). */
  delackFire(k: number): void {
    this.delackTimers[k] = null;
    const rx = this.receivers[k]!;
    const from = rx.lastAckSeq;
    const d = rx.onDelackTimer(this.sim.nowNs);
    if (d && d.ackPackets > 0) this.queueAck(this.recvFlows[k]!, from, d);
    this.armDelack(k);
  }

  /** The application read `bytes` of receiver k (a recv() loop completed): window update, then what the application does next. */
  read(k: number, bytes: number): void {
    const rx = this.receivers[k]!;
    const from = rx.lastAckSeq;
    const res = rx.read(bytes, this.sim.nowNs);
    if (res.ack && res.ack.ackPackets > 0) this.queueAck(this.recvFlows[k]!, from, res.ack);
    this.readBytes[k]! += res.bytes;
    this.bytesRead += res.bytes * this.appBytesPerByte[k]!;
    this.requests.onRead(k, this.recvFlows[k]!, Math.floor(this.readBytes[k]! / this.opts.mssBytes + 1e-9));
  }

  /** Application bytes unread on receiver k. */
  unread(k: number): number {
    return this.receivers[k]!.unread;
  }

  /** Counters at this instant (results and metrics). */
  counters() {
    let timeouts = 0;
    let retransmits = 0;
    let segsSent = 0;
    for (const tx of this.senders) {
      const st = tx.stats();
      timeouts += st.timeouts;
      retransmits += st.segsRetransmitted;
      segsSent += st.segsSent;
    }
    const r = this.requests;
    return { bytesRead: this.bytesRead, timeouts, retransmits, segsSent, requestsDone: r.requestsDone, incastRounds: r.incastRounds, incastRoundNs: r.incastRoundNs };
  }
}
