// Output-queued switch ports: each port serialises what it admitted at line
// rate, and its schedule is kept as the busy intervals of its link. Admission
// is drop-tail against a per-port buffer in bytes, or against a shared buffer
// with a dynamic threshold (Choudhury and Hahne, 1998: a port may queue while
// its backlog stays below alpha × the free shared buffer). Frames are admitted
// one by one at their own enqueue times (arrival + forwarding latency), so a
// burst that arrived spread out over its input link fills the queue as it
// would have.
//
// A switch handles a message when its last frame is in, so frames reach a
// port out of time order: a message from one input is handled before an
// earlier-starting one from another. A frame dated before frames already
// booked goes into the first idle gap of the link from its enqueue time on
// (the port stays work-conserving: no idle time while it holds a frame, no
// two frames on the link at once). The queue it finds is what the busy run
// going on at its enqueue time still holds, read no earlier than the latest
// enqueue in that run: frames booked there that arrive later, and any idle
// time before them, are not queue.
// Which frame of two overlapping messages goes first may differ from a true
// FIFO; how long the port is busy, and so what it drops, does not.
import type { BufferSpec } from './config.ts';

/**
 * Intervals closer than this are one busy run: float sums of serialization times drift by a few units in
 * the last place, which is 1e-6 ns near 0 but ~1e-3 ns two hours in, so the tolerance grows with the time.
 */
function adjacentNs(tNs: number): number {
  return 1e-6 + Math.abs(tNs) * 1e-13;
}

export class OutputPorts {
  /** End of the last booked interval of each port (−Infinity: never busy). */
  readonly busyUntilNs: Float64Array;
  /** Per port, the booked busy intervals [start, end) of its link, sorted and disjoint (the past is pruned). */
  readonly startsNs: number[][];
  readonly endsNs: number[][];
  /** Per interval, the latest enqueue time of a frame booked in it. */
  readonly lastEnqNs: number[][];
  /** Per port: the end of the last interval pruned (no frame is booked before it). */
  readonly forgottenUntilNs: Float64Array;
  readonly nsPerByte: Float64Array;
  readonly dropFrames: Float64Array;
  readonly dropBytes: Float64Array;
  readonly txFrames: Float64Array;
  /** Wire bytes admitted (plus what was queued at the last reset): sent by t = this − backlog at t (sentBytes). */
  readonly txBytes: Float64Array;
  /** The most sentBytes has reported (it never goes back). */
  readonly sentMark: Float64Array;
  /** Highest backlog (bytes) right after a frame's admission (the frame included). */
  readonly maxQueueBytes: Float64Array;
  /** ∫ backlog dt in byte·ns (a frame counts from its enqueue until its last byte left). */
  readonly queueByteNs: Float64Array;
  /** The last counter reset: a frame booked later but dated before it counts only its part on the link after it. */
  private countFromNs = -Infinity;
  /** Start and end on the link of the frame the latest admitFrame() call admitted. */
  lastStartNs = 0;
  lastEndNs = 0;

  constructor(
    readonly ports: number,
    rateBitsPerSec: readonly number[],
    readonly buffer: BufferSpec,
  ) {
    // Never busy yet (a frame that arrived "before" time 0 finds no backlog).
    this.busyUntilNs = new Float64Array(ports).fill(-Infinity);
    this.startsNs = Array.from({ length: ports }, () => []);
    this.endsNs = Array.from({ length: ports }, () => []);
    this.lastEnqNs = Array.from({ length: ports }, () => []);
    this.forgottenUntilNs = new Float64Array(ports).fill(-Infinity);
    this.nsPerByte = Float64Array.from(rateBitsPerSec, (r) => 8e9 / r);
    this.dropFrames = new Float64Array(ports);
    this.dropBytes = new Float64Array(ports);
    this.txFrames = new Float64Array(ports);
    this.txBytes = new Float64Array(ports);
    this.sentMark = new Float64Array(ports);
    this.maxQueueBytes = new Float64Array(ports);
    this.queueByteNs = new Float64Array(ports);
  }

  /** Bytes port p has booked to send after `tNs` (what it holds then, and what was admitted dated later). */
  backlogBytes(p: number, tNs: number): number {
    const S = this.startsNs[p]!;
    const E = this.endsNs[p]!;
    let ns = 0;
    for (let i = S.length - 1; i >= 0 && E[i]! > tNs; i--) ns += E[i]! - Math.max(S[i]!, tNs);
    return ns / this.nsPerByte[p]!;
  }

  /** The queue a frame enqueued at `tNs` finds, in bytes: the rest of the busy run going on then, from its latest enqueue on. */
  queueBytesAt(p: number, tNs: number): number {
    const E = this.endsNs[p]!;
    const n = E.length;
    if (n === 0 || tNs >= E[n - 1]!) return 0;
    const i = this.firstEndingAfter(p, tNs);
    if (this.startsNs[p]![i]! > tNs) return 0;
    return Math.max(0, E[i]! - Math.max(tNs, this.lastEnqNs[p]![i]!)) / this.nsPerByte[p]!;
  }

  /** The shared buffer's occupancy for a frame enqueued at `tNs`: the queue every port holds then. */
  sharedOccupancyBytes(tNs: number): number {
    let q = 0;
    for (let p = 0; p < this.ports; p++) q += this.queueBytesAt(p, tNs);
    return q;
  }

  /** Index of port p's first interval ending after `tNs` (binary search; its length if none). */
  private firstEndingAfter(p: number, tNs: number): number {
    const E = this.endsNs[p]!;
    let lo = 0;
    let hi = E.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (E[mid]! > tNs) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Last byte's time on the link of the frame the latest book() call placed. */
  private bookedEndNs = 0;
  /** Its pieces on the link, [start, end) pairs (one pair unless it was split over idle gaps). */
  private readonly bookedPieces: number[] = [];

  /**
   * Book `serNs` of port p's link from `tNs` on; returns the start of its first byte (its last byte's
   * time in bookedEndNs). A frame dated before frames already booked (a message is handled when its last
   * frame is in) takes the idle time from `tNs` on, gap by gap, until its bytes are placed: the port never
   * idles while it holds a frame, as a FIFO port would not, though frames booked earlier keep their places.
   */
  private book(p: number, tNs: number, serNs: number): number {
    const S = this.startsNs[p]!;
    const E = this.endsNs[p]!;
    const L = this.lastEnqNs[p]!;
    const n = S.length;
    // In time order (the usual case): at or after the last interval's start.
    if (n === 0 || tNs >= S[n - 1]!) {
      if (n > 0 && tNs <= E[n - 1]! + adjacentNs(tNs)) {
        const start = Math.max(tNs, E[n - 1]!);
        E[n - 1] = start + serNs;
        if (tNs > L[n - 1]!) L[n - 1] = tNs;
        return this.booked(start, start + serNs);
      }
      S.push(tNs);
      E.push(tNs + serNs);
      L.push(tNs);
      return this.booked(tNs, tNs + serNs);
    }
    const eps = adjacentNs(tNs);
    // The idle pieces from tNs on that hold its bytes, found before any is booked (booking moves indexes).
    const pieces = this.bookedPieces;
    pieces.length = 0;
    let i = this.firstEndingAfter(p, tNs);
    let t = tNs;
    if (i < n && S[i]! <= t) t = E[i++]!;
    let left = serNs;
    for (;;) {
      const use = Math.min(left, (i < n ? S[i]! : Infinity) - t);
      // A sliver of idle time (float noise where intervals touch) is no room.
      if (use > eps || use === left) {
        pieces.push(t, t + use);
        left -= use;
      }
      // (At least one piece: a frame shorter than eps still goes on the link, in the first gap that holds it.)
      if (left <= eps && pieces.length > 0) break;
      t = E[i++]!;
    }
    if (left > 0) pieces[pieces.length - 1]! += left;
    for (let k = 0; k < pieces.length; k += 2) this.bookPiece(p, tNs, pieces[k]!, pieces[k + 1]!, eps);
    this.bookedEndNs = pieces[pieces.length - 1]!;
    return pieces[0]!;
  }

  private booked(start: number, end: number): number {
    this.bookedPieces.length = 0;
    this.bookedPieces.push(start, end);
    this.bookedEndNs = end;
    return start;
  }

  /** Mark [start, end) — inside an idle gap — busy, joining the intervals it touches. */
  private bookPiece(p: number, tNs: number, start: number, end: number, eps: number): void {
    const S = this.startsNs[p]!;
    const E = this.endsNs[p]!;
    const L = this.lastEnqNs[p]!;
    const n = S.length;
    // (An interval ending within eps past `start` touches it rather than holding it.)
    const i = this.firstEndingAfter(p, start + eps);
    // Before interval i: join the one before it and/or the one at i when they touch.
    const joinPrev = i > 0 && E[i - 1]! >= start - eps;
    const joinNext = i < n && S[i]! <= end + eps;
    if (joinPrev && joinNext) {
      E[i - 1] = E[i]!;
      L[i - 1] = Math.max(L[i - 1]!, L[i]!, tNs);
      S.splice(i, 1);
      E.splice(i, 1);
      L.splice(i, 1);
    } else if (joinPrev) {
      E[i - 1] = end;
      L[i - 1] = Math.max(L[i - 1]!, tNs);
    } else if (joinNext) {
      S[i] = start;
      L[i] = Math.max(L[i]!, tNs);
    } else {
      S.splice(i, 0, start);
      E.splice(i, 0, end);
      L.splice(i, 0, tNs);
    }
  }

  /**
   * Forget port p's intervals that ended by `beforeNs` (frames are not expected to be dated that early).
   * A frame that is (a message longer than any before it) is taken as enqueued when the forgotten ones
   * ended: late by up to that much, but never on the link together with a frame already sent.
   */
  prune(p: number, beforeNs: number): void {
    const E = this.endsNs[p]!;
    let k = 0;
    while (k < E.length - 1 && E[k]! <= beforeNs) k++;
    if (k === 0) return;
    this.forgottenUntilNs[p] = Math.max(this.forgottenUntilNs[p]!, E[k - 1]!);
    this.startsNs[p]!.splice(0, k);
    E.splice(0, k);
    this.lastEnqNs[p]!.splice(0, k);
  }

  /**
   * Wire bytes port p has put on its link by `tNs` since the last reset: admitted bytes still queued are not
   * sent yet. A frame is admitted up to a forwarding latency before it can start, so the backlog may count
   * that wait as bytes for a moment; the mark keeps the count from going back.
   */
  sentBytes(p: number, tNs: number): number {
    const sent = Math.max(this.sentMark[p]!, this.txBytes[p]! - this.backlogBytes(p, tNs));
    this.sentMark[p] = sent;
    return sent;
  }

  /**
   * Frame of `frameBytes` (buffered size; `wireBytes` on the wire) enqueued
   * at port p at `enqNs`: admitted (true) or dropped. `sharedUsed` is the
   * shared buffer's occupancy then (every port's backlog).
   */
  admitFrame(p: number, enqNs: number, frameBytes: number, wireBytes: number, sharedUsed: number): boolean {
    const tNs = Math.max(enqNs, this.forgottenUntilNs[p]!);
    const q = this.queueBytesAt(p, tNs);
    const b = this.buffer;
    const fits = b.mode === 'per-port' ? q + frameBytes <= b.bytes : sharedUsed + frameBytes <= b.bytes && q + frameBytes <= b.alpha * (b.bytes - sharedUsed);
    if (!fits) {
      this.dropFrames[p]! += 1;
      this.dropBytes[p]! += frameBytes;
      return false;
    }
    const v = this.nsPerByte[p]!;
    const serNs = wireBytes * v;
    const start = this.book(p, tNs, serNs);
    const end = this.bookedEndNs;
    const E = this.endsNs[p]!;
    this.busyUntilNs[p] = E[E.length - 1]!;
    this.lastStartNs = start;
    this.lastEndNs = end;
    // The queue with this frame in it, in buffer bytes as admission counts it (the time-average below counts
    // the frame too, so the peak must).
    const qAfter = q + frameBytes;
    if (qAfter > this.maxQueueBytes[p]!) this.maxQueueBytes[p] = qAfter;
    // Waiting, then draining linearly for its last serialization time (a frame split over idle gaps is
    // held until its last byte leaves).
    this.queueByteNs[p]! += frameBytes * (end - serNs - tNs) + (frameBytes * serNs) / 2;
    // A message is handled when its last frame is in, so its first frames may be dated before the last reset:
    // what they put on the link before it belongs to the window that ended there.
    const from = this.countFromNs;
    if (end > from) {
      this.txFrames[p]! += 1;
      if (start >= from) this.txBytes[p]! += wireBytes;
      else {
        // Only its link time after the reset, piece by piece (a split frame is not on the link from start to end).
        const P = this.bookedPieces;
        let afterNs = 0;
        for (let k = 0; k < P.length; k += 2) afterNs += Math.max(0, P[k + 1]! - Math.max(P[k]!, from));
        this.txBytes[p]! += (wireBytes * afterNs) / serNs;
      }
    }
    return true;
  }

  /** Forget the counters (end of warm-up, at `nowNs`); the queues stay, and what they hold is sent in the new window. */
  resetCounters(nowNs: number): void {
    this.countFromNs = nowNs;
    for (const a of [this.dropFrames, this.dropBytes, this.txFrames, this.txBytes, this.sentMark, this.maxQueueBytes, this.queueByteNs]) a.fill(0);
    for (let p = 0; p < this.ports; p++) this.txBytes[p] = this.backlogBytes(p, nowNs);
  }
}
