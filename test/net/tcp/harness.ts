// Test bench: one TCP connection over a point-to-point link on the kernel Sim.
// Data frames are 1538 wire bytes (1448 payload + TCP/IP/Ethernet headers,
// preamble and gap), ACK frames 84; batches serialise arithmetically, FIFO.
import { Sim, type Actor, type TimerHandle } from '../../../src/kernel/sim.ts';
import type { Rng } from '../../../src/kernel/rng.ts';
import type { AckDecision } from '../../../src/net/tcp/ackBatch.ts';
import type { CongestionName } from '../../../src/net/tcp/congestion.ts';
import { orderHashOfPrefix } from '../../../src/net/tcp/orderHash.ts';
import { TcpReceiver, type TcpReceiverStats } from '../../../src/net/tcp/receiver.ts';
import { TcpSender, type TcpSenderStats } from '../../../src/net/tcp/sender.ts';

export const DATA_WIRE_BYTES = 1538;
export const ACK_WIRE_BYTES = 84;
const NS_PER_S = 1e9;

interface DataMsg {
  kind: 'data';
  firstSeq: number;
  count: number;
}
interface AckMsg {
  kind: 'ack';
  decision: AckDecision;
}
type LinkMsg = DataMsg | AckMsg;

/** Keeps at most one kernel timer armed no later than an owner's deadline. */
class DeadlineTimer {
  private handle: TimerHandle | null = null;
  private atNs = Infinity;

  constructor(
    private readonly sim: Sim,
    private readonly ownerId: number,
    private readonly onFire: (nowNs: number) => void,
  ) {}

  sync(deadlineNs: number | null): void {
    if (deadlineNs === null) {
      if (this.handle) this.sim.cancel(this.handle);
      this.handle = null;
      this.atNs = Infinity;
      return;
    }
    // An earlier armed timer is kept: it fires, finds the deadline moved, and re-syncs.
    if (this.handle && this.atNs <= deadlineNs) return;
    if (this.handle) this.sim.cancel(this.handle);
    this.atNs = Math.max(deadlineNs, this.sim.nowNs);
    this.handle = this.sim.timer(this.ownerId, this.atNs - this.sim.nowNs, () => {
      this.handle = null;
      this.atNs = Infinity;
      this.onFire(this.sim.nowNs);
    });
  }
}

/** FIFO link: serialisation at `rateBitsPerSec`, then `propDelayNs`; random per-segment loss of data. */
class LinkActor implements Actor {
  private busyUntilNs = 0;
  lostSegs = 0;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly dstId: number,
    private readonly rateBitsPerSec: number,
    private readonly propDelayNs: number,
    private readonly lossProb: number,
    private readonly rng: Rng,
  ) {}

  receive(raw: unknown, nowNs: number): void {
    const msg = raw as LinkMsg;
    const start = Math.max(this.busyUntilNs, nowNs);
    if (msg.kind === 'ack') {
      this.busyUntilNs = start + this.serNs(ACK_WIRE_BYTES) * msg.decision.ackPackets;
      this.forward(this.busyUntilNs, msg);
      return;
    }
    const serNs = this.serNs(DATA_WIRE_BYTES);
    let runStart = msg.firstSeq;
    for (let i = 0; i < msg.count; i++) {
      if (this.lossProb > 0 && this.rng.next() < this.lossProb) {
        const seq = msg.firstSeq + i;
        // A drop splits the batch: the survivors before it arrive when their last frame does.
        if (seq > runStart) this.forward(start + serNs * i, { kind: 'data', firstSeq: runStart, count: seq - runStart });
        this.lostSegs++;
        runStart = seq + 1;
      }
    }
    this.busyUntilNs = start + serNs * msg.count;
    const end = msg.firstSeq + msg.count;
    if (end > runStart) this.forward(this.busyUntilNs, { kind: 'data', firstSeq: runStart, count: end - runStart });
  }

  private serNs(wireBytes: number): number {
    return (wireBytes * 8 * NS_PER_S) / this.rateBitsPerSec;
  }

  private forward(lastBitOutNs: number, msg: LinkMsg): void {
    this.sim.send(this.id, this.dstId, Math.round(lastBitOutNs) - this.sim.nowNs + this.propDelayNs, msg);
  }
}

class SenderActor implements Actor {
  private readonly rtoTimer: DeadlineTimer;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly linkId: number,
    readonly tcp: TcpSender,
    private readonly maxBurstSegs: number,
  ) {
    this.rtoTimer = new DeadlineTimer(sim, id, (nowNs) => {
      this.tcp.onRtoTimer(nowNs);
      this.pump(nowNs);
    });
  }

  receive(raw: unknown, nowNs: number): void {
    const d = (raw as AckMsg).decision;
    for (const b of d.batches) this.tcp.onAck(b.ackSeq, b.ackPackets, d.rwndSegs, nowNs, b.dupAcks);
    this.pump(nowNs);
  }

  pump(nowNs: number): void {
    for (let b = this.tcp.nextBurst(nowNs, this.maxBurstSegs); b; b = this.tcp.nextBurst(nowNs, this.maxBurstSegs)) {
      this.sim.send(this.id, this.linkId, 0, { kind: 'data', firstSeq: b.firstSeq, count: b.count } satisfies DataMsg);
    }
    this.rtoTimer.sync(this.tcp.rtoDeadlineNs());
  }
}

class ReceiverActor implements Actor {
  private readonly delackTimer: DeadlineTimer;
  /** Which segments the link really delivered, to check the receiver invents nothing. */
  private seen = new Uint8Array(1 << 16);
  private readonly readAll: boolean;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly linkId: number,
    readonly tcp: TcpReceiver,
    readBytesPerSec: number,
    readTickNs: number,
  ) {
    this.delackTimer = new DeadlineTimer(sim, id, (nowNs) => {
      this.sendAck(this.tcp.onDelackTimer(nowNs));
      this.delackTimer.sync(this.tcp.delackDeadlineNs());
    });
    if (Number.isFinite(readBytesPerSec)) {
      const bytesPerTick = (readBytesPerSec * readTickNs) / NS_PER_S;
      let credit = 0;
      const tick = (): void => {
        credit += bytesPerTick;
        const r = this.tcp.read(Math.floor(credit), sim.nowNs);
        credit -= r.bytes;
        if (r.bytes === 0) credit = Math.min(credit, bytesPerTick); // an idle reader banks nothing
        this.sendAck(r.ack);
        sim.timer(id, readTickNs, tick);
      };
      sim.timer(id, readTickNs, tick);
    }
    this.readAll = !Number.isFinite(readBytesPerSec);
  }

  receive(raw: unknown, nowNs: number): void {
    const m = raw as DataMsg;
    this.markSeen(m.firstSeq, m.count);
    this.sendAck(this.tcp.onData(m.firstSeq, m.count, nowNs));
    if (this.readAll) this.sendAck(this.tcp.read(Infinity, nowNs).ack);
    this.delackTimer.sync(this.tcp.delackDeadlineNs());
  }

  private sendAck(d: AckDecision | null): void {
    if (d && d.ackPackets > 0) this.sim.send(this.id, this.linkId, 0, { kind: 'ack', decision: d } satisfies AckMsg);
  }

  private markSeen(firstSeq: number, count: number): void {
    const end = firstSeq + count;
    if (end > this.seen.length) {
      const grown = new Uint8Array(Math.max(end, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen.fill(1, firstSeq, end);
  }

  /** True when every segment below `seq` crossed the link at least once. */
  allSeenBelow(seq: number): boolean {
    if (seq > this.seen.length) return false;
    for (let i = 0; i < seq; i++) if (this.seen[i] !== 1) return false;
    return true;
  }
}

export interface PairConfig {
  seed: number;
  rateBitsPerSec: number;
  propDelayNs: number;
  /** Per-segment loss probability on the data path. */
  lossProb?: number;
  congestion?: CongestionName;
  warmupNs: number;
  measureNs: number;
  maxBurstSegs?: number;
  rcvBufBytes?: number;
  /** Application read rate; default: read everything as soon as it arrives. */
  readBytesPerSec?: number;
}

export interface PairResult {
  goodputBitsPerSec: number;
  sender: TcpSenderStats;
  receiver: TcpReceiverStats;
  linkLostSegs: number;
  eventsProcessed: number;
  /** Receiver's order hash equals the hash of 0..deliveredSegs-1 and deliveredSegs == rcv_nxt. */
  orderHashOk: boolean;
  /** Every delivered segment really crossed the link. */
  deliveredWereSent: boolean;
}

/** Run one connection for warmupNs + measureNs; goodput is application bytes read in the measure window. */
export function runPair(cfg: PairConfig): PairResult {
  const sim = new Sim({ seed: cfg.seed });
  const [SND, FWD, RCV, REV, METER] = [1, 2, 3, 4, 5];
  const rcvTcp = new TcpReceiver({ rcvBufBytes: cfg.rcvBufBytes });
  const sndTcp = new TcpSender({ congestion: cfg.congestion, initialRwndSegs: rcvTcp.advertisedWindowSegs() });
  const sender = sim.register(new SenderActor(SND, sim, FWD, sndTcp, cfg.maxBurstSegs ?? 45));
  const fwd = sim.register(new LinkActor(FWD, sim, RCV, cfg.rateBitsPerSec, cfg.propDelayNs, cfg.lossProb ?? 0, sim.rng(FWD)));
  const receiver = sim.register(new ReceiverActor(RCV, sim, REV, rcvTcp, cfg.readBytesPerSec ?? Infinity, 100_000));
  sim.register(new LinkActor(REV, sim, SND, cfg.rateBitsPerSec, cfg.propDelayNs, 0, sim.rng(REV)));
  let readAtWarmup = 0;
  sim.timer(METER, cfg.warmupNs, () => {
    readAtWarmup = rcvTcp.stats().bytesRead;
  });
  sim.timer(SND, 0, () => sender.pump(0));
  sim.runUntil(cfg.warmupNs + cfg.measureNs);
  const r = rcvTcp.stats();
  return {
    goodputBitsPerSec: ((r.bytesRead - readAtWarmup) * 8 * NS_PER_S) / cfg.measureNs,
    sender: sndTcp.stats(),
    receiver: r,
    linkLostSegs: fwd.lostSegs,
    eventsProcessed: sim.eventsProcessed,
    orderHashOk: r.deliveredSegs === r.rcvNxt && r.orderHash === orderHashOfPrefix(r.deliveredSegs),
    deliveredWereSent: receiver.allSeenBelow(r.rcvNxt),
  };
}
