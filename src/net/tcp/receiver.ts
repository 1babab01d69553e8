// One TCP receiver in segment units, fed contiguous batches of segments.
// Mirrors Linux tcp_data_queue (in-order / out-of-order / out-of-window),
// __tcp_ack_snd_check (delayed ACKs) and tcp_select_window (no shrinking).
import { assertNs } from '../../kernel/time.ts';
import { AckRunBuilder, type AckDecision } from './ackBatch.ts';
import { jiffiesBetweenNs } from './idleRestart.ts';
import { ORDER_HASH_SEED, orderHashRange } from './orderHash.ts';
import { ReceiveBufferTuner, type ReceiveAutotune } from './receiveAutotune.ts';
import { SeqRanges } from './seqRanges.ts';

export type { ReceiveAutotune };

export interface TcpReceiverOptions {
  mssBytes?: number;
  /**
   * Socket receive buffer (SO_RCVBUF / tcp_rmem[2]). Default 174760 =
   * 2 x 87380, the tcp_rmem maximum of Linux 2.6.18 on a small-memory host.
   */
  rcvBufBytes?: number;
  /** Linux tcp_adv_win_scale: n > 0 keeps 1/2^n of the buffer for skb overhead (default 2); n <= 0 advertises buf/2^-n. */
  advWinScale?: number;
  /** Delayed-ACK timeout (Linux TCP_DELACK_MIN = 40 ms). */
  delackNs?: number;
  /** ACK every segment for the first N in-order segments (Linux quickack mode; 0 disables, Linux uses up to 16). */
  quickAckSegs?: number;
  /**
   * The receiver's own RTO (icsk_rto, from its handshake sample): in-order data after a longer gap re-enters
   * quickack mode (tcp_event_data_recv). Absent: not modelled.
   */
  idleQuickAckNs?: number;
  /** tcp_time_stamp's unit, in which that gap is compared (one jiffy; absent: ns). */
  idleQuickAckJiffyNs?: number;
  /** Send SACK blocks (sysctl_tcp_sack = 1): up to 3 with timestamps, the most recent first (RFC 2018). */
  sack?: boolean;
  /**
   * Receive-buffer autotuning as Linux 2.6.18 (sysctl_tcp_moderate_rcvbuf = 1):
   * the buffer starts at tcp_rmem[1] and grows toward tcp_rmem[2]; absent, the
   * buffer is fixed at rcvBufBytes.
   */
  autotune?: ReceiveAutotune;
}

export interface TcpReceiverStats {
  rcvNxt: number;
  /** Cumulative ack of the last ACK sent. */
  lastAckSeq: number;
  segsReceived: number;
  /** Segments that arrived already held (below rcv_nxt or in the out-of-order queue). */
  dupSegs: number;
  /** New segments stored out of order. */
  oooSegs: number;
  dropsBeyondWindow: number;
  acksSent: number;
  deliveredSegs: number;
  bytesRead: number;
  unreadBytes: number;
  oooHeldSegs: number;
  oooRanges: number;
  /** Window as last advertised, relative to lastAckSeq. */
  rwndSegs: number;
  /** Order hash of all delivered segments; equals orderHashOfPrefix(deliveredSegs) iff delivery was exact. */
  orderHash: number;
}

export interface ReadResult {
  bytes: number;
  /** A window-update ACK to send now, or null. */
  ack: AckDecision | null;
}

export class TcpReceiver {
  readonly mssBytes: number;
  /** Payload the buffer may hold now: the receive buffer less the overhead share (tcp_win_from_space). */
  capacityBytes: number;
  private readonly scale: number;
  /** Receive-buffer autotuning, or null for a fixed buffer. */
  private readonly autotune: ReceiveBufferTuner | null;
  rcvBufBytes: number;
  private readonly sackOn: boolean;
  /** A segment of the most recently changed out-of-order range (its SACK block goes first). */
  private recentOoo: number | null = null;
  private readonly delackNs: number;
  private quickAcksLeft: number;
  private readonly idleQuickAckNs: number | null;
  private readonly idleQuickAckJiffyNs: number;
  /** icsk_ack.lrcvtime: when in-order data last arrived (tcp_event_data_recv); null before any. */
  private lastDataRecvNs: number | null = null;
  private rcvNxt = 0;
  private readonly ooo = new SeqRanges();
  /** Right edge of the last advertised window (never moves back: RFC 793/7323, Linux tcp_select_window). */
  private rightEdge: number;
  private lastAckSent = 0;
  private delackAtNs: number | null = null;
  private unreadBytes = 0;
  private hash = ORDER_HASH_SEED;
  private deliveredSegs = 0;
  private segsReceived = 0;
  private dupSegs = 0;
  private oooSegs = 0;
  private dropsBeyondWindow = 0;
  private acksSent = 0;
  private bytesRead = 0;

  constructor(opts: TcpReceiverOptions = {}) {
    this.mssBytes = opts.mssBytes ?? 1448;
    this.scale = opts.advWinScale ?? 2;
    this.sackOn = opts.sack ?? false;
    const a = opts.autotune;
    this.rcvBufBytes = a ? a.rmemDefaultBytes : (opts.rcvBufBytes ?? 174760);
    this.capacityBytes = this.winFromSpace(this.rcvBufBytes);
    this.autotune = a ? new ReceiveBufferTuner(a, this.mssBytes, this.capacityBytes) : null;
    this.delackNs = opts.delackNs ?? 40_000_000;
    this.quickAcksLeft = opts.quickAckSegs ?? 16;
    this.idleQuickAckNs = opts.idleQuickAckNs ?? null;
    this.idleQuickAckJiffyNs = opts.idleQuickAckJiffyNs ?? 1;
    this.rightEdge = this.freeSegs();
  }

  /** Linux tcp_win_from_space: space - space/2^scale for scale > 0, else space/2^-scale. */
  private winFromSpace(bytes: number): number {
    return this.scale > 0 ? bytes - Math.floor(bytes / 2 ** this.scale) : Math.floor(bytes / 2 ** -this.scale);
  }

  /** The window as last advertised, relative to the last ACK (at the start: what the SYN-ACK carries). */
  advertisedWindowSegs(): number {
    return this.rightEdge - this.lastAckSent;
  }

  /**
   * Segments [firstSeq, firstSeq + count) arrive. Per segment, as Linux does:
   * old data and out-of-order data get an immediate (duplicate) ACK, in-order
   * data while the out-of-order queue is non-empty is ACKed at once (so the
   * hole-filling segment is, RFC 5681 §4.2), otherwise one ACK per two full
   * segments and a delayed-ACK timer for an odd one; data beyond the window is
   * dropped and answered with an ACK (tcp_data_queue out_of_window).
   */
  onData(firstSeq: number, count: number, nowNs: number): AckDecision {
    assertNs(nowNs, 'onData nowNs');
    const acks = new AckRunBuilder(this.lastAckSent);
    const end = firstSeq + count;
    const winEnd = Math.min(end, this.rightEdge);
    const rcvNxtBefore = this.rcvNxt;
    this.segsReceived += count;
    if (firstSeq <= this.rcvNxt && this.rcvNxt < winEnd) this.dataAfterGap(nowNs);
    // rcv_nxt + free space only falls within a batch (by one per new out-of-order
    // segment), so per-segment ACKs would have advertised the edge as of the first
    // ACK: remember it, so the batch's window equals the last per-segment one.
    const edgeBefore = this.rcvNxt + this.freeSegs();
    let edgeAtFirstAck: number | null = null;
    let s = firstSeq;
    while (s < winEnd) {
      if (edgeAtFirstAck === null && acks.totalPackets > 0) edgeAtFirstAck = edgeBefore;
      if (s < this.rcvNxt) {
        const n = Math.min(winEnd, this.rcvNxt) - s;
        this.dupSegs += n;
        acks.repeat(this.rcvNxt, n);
        s += n;
      } else if (s > this.rcvNxt) {
        const n = winEnd - s;
        if (edgeAtFirstAck === null) edgeAtFirstAck = edgeBefore - (this.ooo.has(s) ? 0 : 1);
        const added = this.ooo.add(s, winEnd);
        this.recentOoo = s;
        this.oooSegs += added;
        this.dupSegs += n - added;
        acks.repeat(this.rcvNxt, n);
        s = winEnd;
      } else {
        s = this.inOrder(s, winEnd, acks);
      }
    }
    if (edgeAtFirstAck === null && acks.totalPackets > 0) edgeAtFirstAck = edgeBefore;
    const beyond = end - Math.max(firstSeq, this.rightEdge);
    if (beyond > 0) {
      this.dropsBeyondWindow += beyond;
      acks.repeat(this.rcvNxt, beyond);
    }
    if (edgeAtFirstAck !== null) this.rightEdge = Math.max(this.rightEdge, edgeAtFirstAck);
    if (this.autotune && this.rcvNxt > rcvNxtBefore) this.autotune.rttMeasure(nowNs, this.rcvNxt, this.rightEdge - this.lastAckSent);
    return this.finish(acks, nowNs);
  }

  /**
   * tcp_event_data_recv for in-order data: after a gap longer than the receiver's RTO ("apparently sender
   * failed to restart window, so that we send ACKs quickly") tcp_incr_quickack allows rcv_wnd / (2 · rcv_mss)
   * immediate ACKs (2 when that is 0), at most TCP_MAX_QUICKACKS 16, if more than are left.
   */
  private dataAfterGap(nowNs: number): void {
    if (this.idleQuickAckNs !== null && this.lastDataRecvNs !== null && jiffiesBetweenNs(this.lastDataRecvNs, nowNs, this.idleQuickAckJiffyNs) > this.idleQuickAckNs) {
      const perWindow = Math.floor(this.advertisedWindowSegs() / 2);
      const quick = Math.min(perWindow === 0 ? 2 : perWindow, 16);
      if (quick > this.quickAcksLeft) this.quickAcksLeft = quick;
    }
    this.lastDataRecvNs = nowNs;
  }

  /** In-order segments from s = rcv_nxt up to the next hole edge or winEnd; returns where it stopped. */
  private inOrder(s: number, winEnd: number, acks: AckRunBuilder): number {
    const hole = this.ooo.first();
    if (hole) {
      // Out-of-order data queued: ACK each segment now (Linux __tcp_ack_snd_check).
      const runEnd = Math.min(winEnd, hole.start);
      const n = runEnd - s;
      this.deliver(s, runEnd);
      const merged = runEnd === hole.start ? this.ooo.takeIfStartsAt(runEnd) : null;
      if (merged) {
        this.deliver(merged.start, merged.end);
        acks.series(s + 1, 1, n - 1);
        acks.repeat(this.rcvNxt, 1);
      } else {
        acks.series(s + 1, 1, n);
      }
      return runEnd;
    }
    const n = winEnd - s;
    this.deliver(s, winEnd);
    const quick = Math.min(this.quickAcksLeft, n);
    this.quickAcksLeft -= quick;
    acks.series(s + 1, 1, quick);
    // One ACK once more than one full segment is unacknowledged (RFC 5681 §4.2, RFC 1122).
    const unacked = winEnd - acks.lastAckSeq;
    const delayed = Math.floor(unacked / 2);
    acks.series(acks.lastAckSeq + 2, 2, delayed);
    return winEnd;
  }

  private deliver(fromSeq: number, toSeq: number): void {
    if (fromSeq !== this.rcvNxt) throw new Error(`delivery of ${fromSeq} does not continue rcv_nxt ${this.rcvNxt}`);
    this.autotune?.grow(toSeq - fromSeq, this.capacityBytes - this.unreadBytes);
    this.hash = orderHashRange(this.hash, fromSeq, toSeq);
    this.deliveredSegs += toSeq - fromSeq;
    this.unreadBytes += (toSeq - fromSeq) * this.mssBytes;
    this.rcvNxt = toSeq;
  }

  private finish(acks: AckRunBuilder, nowNs: number): AckDecision {
    if (acks.totalPackets > 0) {
      this.advertise();
      this.lastAckSent = acks.lastAckSeq;
      this.acksSent += acks.totalPackets;
    }
    // Sending an ACK clears the delayed-ACK timer (Linux tcp_event_ack_sent); what is still pending restarts it.
    if (this.rcvNxt === this.lastAckSent) this.delackAtNs = null;
    else if (acks.totalPackets > 0 || this.delackAtNs === null) this.delackAtNs = nowNs + this.delackNs;
    // The window field is relative to the packet's ack value, which trails rcv_nxt by a delayed segment.
    const rwndSegs = this.rightEdge - this.lastAckSent;
    return { batches: acks.batches, ackPackets: acks.totalPackets, ackSeq: this.lastAckSent, rwndSegs, sack: this.sackBlocks() };
  }

  /** Up to 3 SACK blocks: the most recently changed range first, then the highest others. */
  private sackBlocks(): number[] {
    if (!this.sackOn || this.ooo.rangeCount === 0) return [];
    const ranges = this.ooo.toArray();
    const out: number[] = [];
    let firstIdx = -1;
    if (this.recentOoo !== null) firstIdx = ranges.findIndex((r) => r.start <= this.recentOoo! && this.recentOoo! < r.end);
    if (firstIdx >= 0) out.push(ranges[firstIdx]!.start, ranges[firstIdx]!.end);
    for (let i = ranges.length - 1; i >= 0 && out.length < 6; i--) if (i !== firstIdx) out.push(ranges[i]!.start, ranges[i]!.end);
    return out;
  }

  /** Free buffer space in whole segments: unread and out-of-order data both count against it. */
  private freeSegs(): number {
    let freeBytes = this.capacityBytes - this.unreadBytes - this.ooo.size * this.mssBytes;
    if (this.autotune) freeBytes = this.autotune.clampFreeBytes(freeBytes);
    return Math.max(0, Math.floor(freeBytes / this.mssBytes));
  }

  /** Move the right edge for an ACK sent now; it never retracts. */
  private advertise(): void {
    this.rightEdge = Math.max(this.rightEdge, this.rcvNxt + this.freeSegs());
  }

  /** Cumulative ack of the last ACK sent, without building stats(). */
  get lastAckSeq(): number {
    return this.lastAckSent;
  }

  /** Bytes received in order and not yet read, without building stats(). */
  get unread(): number {
    return this.unreadBytes;
  }

  /** When the caller must call onDelackTimer, or null. */
  delackDeadlineNs(): number | null {
    return this.delackAtNs;
  }

  /** The delayed-ACK timer fired: ACK what is pending. Null when stale or nothing is pending. */
  onDelackTimer(nowNs: number): AckDecision | null {
    assertNs(nowNs, 'onDelackTimer nowNs');
    if (this.delackAtNs === null || nowNs < this.delackAtNs) return null;
    const acks = new AckRunBuilder(this.lastAckSent);
    acks.repeat(this.rcvNxt, 1);
    return this.finish(acks, nowNs);
  }

  /**
   * The application reads up to `maxBytes` in-order bytes. Like Linux
   * tcp_cleanup_rbuf, a window-update ACK is sent when the current window is
   * at most half the maximum and the new one at least doubles it.
   */
  read(maxBytes: number, nowNs: number): ReadResult {
    const bytes = Math.min(Math.max(0, maxBytes), this.unreadBytes);
    this.unreadBytes -= bytes;
    this.bytesRead += bytes;
    if (this.autotune && bytes > 0) {
      const grown = this.autotune.spaceAdjust(nowNs, this.bytesRead, this.rcvBufBytes);
      if (grown !== null) {
        this.rcvBufBytes = grown;
        this.capacityBytes = this.winFromSpace(grown);
      }
    }
    const curSegs = this.rightEdge - this.rcvNxt;
    const maxSegs = Math.floor(this.capacityBytes / this.mssBytes);
    const nextSegs = this.freeSegs();
    if (bytes === 0 || 2 * curSegs > maxSegs || nextSegs < 2 * curSegs || nextSegs <= curSegs) return { bytes, ack: null };
    const acks = new AckRunBuilder(this.lastAckSent);
    acks.repeat(this.rcvNxt, 1);
    return { bytes, ack: this.finish(acks, nowNs) };
  }

  stats(): TcpReceiverStats {
    return {
      rcvNxt: this.rcvNxt,
      lastAckSeq: this.lastAckSent,
      segsReceived: this.segsReceived,
      dupSegs: this.dupSegs,
      oooSegs: this.oooSegs,
      dropsBeyondWindow: this.dropsBeyondWindow,
      acksSent: this.acksSent,
      deliveredSegs: this.deliveredSegs,
      bytesRead: this.bytesRead,
      unreadBytes: this.unreadBytes,
      oooHeldSegs: this.ooo.size,
      oooRanges: this.ooo.rangeCount,
      rwndSegs: this.rightEdge - this.lastAckSent,
      orderHash: this.hash,
    };
  }
}
