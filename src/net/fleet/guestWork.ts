// The work a fleet DomU's network stack and applications do on its VCPUs,
// charged in cycles as the paper's DomU path charges it: the transmit softirq
// (tcp_write_xmit and the ACKs → netfront's network_start_xmit), and the
// applications' recv()/write() calls in process context. The receive side
// (netif_int, netif_poll) is in guestNet.ts.
import { SOFTIRQ, type WorkContext, type WorkItem, type WorkSource } from '../../xen/work.ts';
import type { CostModel } from '../costs.ts';
import type { Run } from '../packetQueue.ts';
import type { GuestStack } from './guestStack.ts';
import type { NetfrontTx } from './netfrontTx.ts';

/** Most segments one sender puts out per send opportunity (a TSO-less burst). */
const BURST_SEGS = 64;

interface TxItem {
  runs: Run[];
  packets: number;
}

/**
 * The guest's transmit on VCPU0: pending ACKs first, then the senders that may
 * send, while the qdisc has room. It runs inline, right after the item that
 * made the work (tcp_v4_rcv's ACK or tcp_data_snd_check → dev_queue_xmit →
 * network_start_xmit is a synchronous call in 2.6.18; NET_TX is raised only
 * for a stopped queue), not after net_rx_action's whole budget.
 */
export class TxPump implements WorkSource<TxItem> {
  readonly name = 'netfront-tx';
  readonly softirq = SOFTIRQ.NET_TX;
  readonly inline = true;

  constructor(
    private readonly stack: GuestStack,
    private readonly tx: NetfrontTx,
    private readonly costs: CostModel,
    /** The qdisc ran and pushed requests that netback wants to hear about. */
    private readonly notifyNetback: () => void,
  ) {}

  pending(): boolean {
    return this.stack.ackOut.length > 0 || (this.stack.wantTx.length > 0 && this.tx.room() > 0);
  }

  take(ctx: WorkContext): WorkItem<TxItem> | null {
    const st = this.stack;
    const c = this.costs;
    const runs: Run[] = st.ackOut;
    st.ackOut = [];
    let acks = 0;
    for (const r of runs) acks += r.count;
    let room = this.tx.room() - acks;
    let data = 0;
    // tcp_data_snd_check for each sender that may send, in the order they asked.
    const more: number[] = [];
    for (let s = st.nextWanting(); s >= 0; s = st.nextWanting()) {
      const tx = st.senders[s]!;
      let full = false;
      while (!full) {
        if (room <= 0) {
          full = true;
          break;
        }
        const b = tx.nextBurst(ctx.nowNs, Math.min(room, BURST_SEGS));
        if (!b) break;
        runs.push({ flow: st.sendFlows[s]!, seq: b.firstSeq, count: b.count });
        room -= b.count;
        data += b.count;
      }
      st.armRto(s);
      if (full) more.push(s);
      if (room <= 0) break;
    }
    for (const s of more) st.wantSend(s);
    if (runs.length === 0) return null;
    this.tx.reserved += acks + data;
    return {
      parts: [
        { component: 'stack_tx', cycles: acks * c.stackTxCyclesPerPacket + data * c.stackTxDataCyclesPerPacket, packets: acks + data },
        { component: 'netfront_tx', cycles: (acks + data) * c.netfrontTxCyclesPerPacket, packets: acks + data },
      ],
      source: this,
      data: { runs, packets: acks + data },
    };
  }

  complete(item: WorkItem<TxItem>): void {
    this.tx.reserved -= item.data.packets;
    if (this.tx.enqueue(item.data.runs)) this.notifyNetback();
  }
}

interface AppItem {
  kind: 'read' | 'write';
  /** Receiver (read) or sender (write) index in the stack. */
  index: number;
  bytes: number;
}

export interface AppCosts {
  /** Bytes per recv() (the server's own -l). */
  recvBytes: number;
  /** Most bytes one work item reads or writes before yielding. */
  chunkBytes: number;
  costs: CostModel;
  /** Cache factor for data last written on `producerPcpu`, read on `pcpu`. */
  factor(producerPcpu: number, pcpu: number): number;
  producerPcpu(): number;
}

/**
 * The applications' threads on one guest VCPU (process context): iperf
 * readers and writers, request/response clients and servers. Reads and writes
 * alternate so neither starves the other.
 */
export class AppSource implements WorkSource<AppItem> {
  readonly name = 'app';
  readonly workClass = 'process' as const;
  private nextRead = 0;
  private nextWrite = 0;
  private preferRead = true;

  constructor(
    private readonly stack: GuestStack,
    /** The receivers and senders whose threads run on this VCPU. */
    private readonly receivers: number[],
    private readonly senders: number[],
    private readonly mine: Uint8Array,
    private readonly c: AppCosts,
  ) {}

  pending(): boolean {
    const st = this.stack;
    for (const k of this.receivers) if (st.unread(k) > 0) return true;
    for (const w of st.writes) if (this.mine[w.sender]) return true;
    for (const s of this.senders) if (this.bulkRoom(s) > 0) return true;
    return false;
  }

  private bulkRoom(s: number): number {
    const st = this.stack;
    if (!st.isBulkSender(s) || !st.appActive[st.appOfSender(s)]) return 0;
    return st.sndbufRoomSegs(s);
  }

  take(ctx: WorkContext): WorkItem<AppItem> | null {
    const first = this.preferRead ? this.takeRead(ctx) ?? this.takeWrite() : this.takeWrite() ?? this.takeRead(ctx);
    if (!first) return null;
    this.preferRead = first.data.kind === 'write';
    return first;
  }

  private takeRead(ctx: WorkContext): WorkItem<AppItem> | null {
    const n = this.receivers.length;
    for (let i = 0; i < n; i++) {
      const k = this.receivers[(this.nextRead + i) % n]!;
      const avail = this.stack.unread(k);
      if (avail <= 0) continue;
      this.nextRead = (this.nextRead + i + 1) % n;
      const c = this.c;
      const bytes = Math.min(avail, Math.max(c.recvBytes, c.chunkBytes - (c.chunkBytes % c.recvBytes)));
      const calls = Math.ceil(bytes / c.recvBytes);
      const f = c.factor(c.producerPcpu(), ctx.pcpu);
      return {
        parts: [
          { component: 'app_read_syscall', cycles: calls * c.costs.readSyscallCycles, packets: 0 },
          { component: 'copy_to_user', cycles: bytes * c.costs.copyToUserCyclesPerByte * f, packets: 0 },
        ],
        source: this,
        data: { kind: 'read', index: k, bytes },
      };
    }
    return null;
  }

  private takeWrite(): WorkItem<AppItem> | null {
    const st = this.stack;
    const mss = st.mssBytes;
    // Decided writes (requests, responses) first, in order.
    const wi = st.writes.findIndex((w) => this.mine[w.sender] === 1);
    if (wi >= 0) {
      const w = st.writes.splice(wi, 1)[0]!;
      return this.writeItem(w.sender, w.segs * mss, 1);
    }
    const n = this.senders.length;
    for (let i = 0; i < n; i++) {
      const s = this.senders[(this.nextWrite + i) % n]!;
      const room = this.bulkRoom(s);
      if (room <= 0) continue;
      this.nextWrite = (this.nextWrite + i + 1) % n;
      const msg = st.appMessageBytes[st.appOfSender(s)]!;
      // Whole write() calls of -l bytes, at least one, up to the chunk; writes smaller than a segment only
      // until they fill one: TCP takes each write() as it returns (tcp_sendmsg pushes at its end), so the
      // segment leaves once full, not after a chunk of tiny writes (65,536 one-byte writes held it ~56 ms).
      const segmentCalls = msg < mss ? Math.ceil(mss / msg) : Infinity;
      const calls = Math.max(1, Math.min(Math.floor(this.c.chunkBytes / msg), Math.ceil((room * mss) / msg), segmentCalls));
      return this.writeItem(s, calls * msg, calls);
    }
    return null;
  }

  private writeItem(s: number, bytes: number, calls: number): WorkItem<AppItem> {
    const c = this.c.costs;
    return {
      parts: [
        { component: 'app_write_syscall', cycles: calls * c.writeSyscallCycles, packets: 0 },
        { component: 'copy_from_user', cycles: bytes * c.copyFromUserCyclesPerByte, packets: 0 },
      ],
      source: this,
      data: { kind: 'write', index: s, bytes },
    };
  }

  complete(item: WorkItem<AppItem>): void {
    const d = item.data;
    if (d.kind === 'read') this.stack.read(d.index, d.bytes);
    else this.stack.written(d.index, d.bytes);
  }
}
