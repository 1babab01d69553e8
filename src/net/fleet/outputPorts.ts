// Output-queued switch ports as typed arrays: each port serialises its FIFO
// at line rate, so its queue is known from one number — when it will have
// sent everything admitted (busyUntil) — and the backlog at time t is
// (busyUntil − t) × rate. Admission is drop-tail against a per-port buffer in
// bytes, or against a shared buffer with a dynamic threshold (Choudhury and
// Hahne, 1998: a port may queue while its backlog stays below alpha × the
// free shared buffer). Frames are admitted one by one at their own enqueue
// times (arrival + forwarding latency), so a burst that arrived spread out
// over its input link fills the queue as it would have.
import type { BufferSpec } from './config.ts';

export class OutputPorts {
  readonly busyUntilNs: Float64Array;
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
  /** End of the last frame admitted by the latest admit() call. */
  lastEndNs = 0;
  /** Enqueue time of each port's latest admitted frame. */
  readonly lastEnqNs: Float64Array;

  constructor(
    readonly ports: number,
    rateBitsPerSec: readonly number[],
    readonly buffer: BufferSpec,
  ) {
    // Never busy yet (a frame that arrived "before" time 0 finds no backlog).
    this.busyUntilNs = new Float64Array(ports).fill(-Infinity);
    this.lastEnqNs = new Float64Array(ports).fill(-Infinity);
    this.nsPerByte = Float64Array.from(rateBitsPerSec, (r) => 8e9 / r);
    this.dropFrames = new Float64Array(ports);
    this.dropBytes = new Float64Array(ports);
    this.txFrames = new Float64Array(ports);
    this.txBytes = new Float64Array(ports);
    this.sentMark = new Float64Array(ports);
    this.maxQueueBytes = new Float64Array(ports);
    this.queueByteNs = new Float64Array(ports);
  }

  backlogBytes(p: number, tNs: number): number {
    const left = this.busyUntilNs[p]! - tNs;
    return left > 0 ? left / this.nsPerByte[p]! : 0;
  }

  /**
   * The shared buffer's occupancy for a frame enqueued at `tNs`. A switch handles a message when its
   * last frame is in and dates each frame back to its own arrival, so a port may already hold frames
   * that came in after `tNs` (from a message handled earlier); its backlog is read no earlier than its
   * latest enqueue, or those later frames, and the idle time before them, would count as occupancy.
   */
  sharedOccupancyBytes(tNs: number): number {
    let q = 0;
    for (let p = 0; p < this.ports; p++) q += this.backlogBytes(p, Math.max(tNs, this.lastEnqNs[p]!));
    return q;
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
   * Frame of `frameBytes` (buffered size; `wireBytes` on the wire) enqueued at
   * port p at `tNs`: admitted (true) or dropped. `sharedUsed` is the shared
   * buffer's occupancy at `tNs` (every port's backlog then).
   */
  admitFrame(p: number, tNs: number, frameBytes: number, wireBytes: number, sharedUsed: number): boolean {
    const q = this.backlogBytes(p, tNs);
    const b = this.buffer;
    const fits = b.mode === 'per-port' ? q + frameBytes <= b.bytes : sharedUsed + frameBytes <= b.bytes && q + frameBytes <= b.alpha * (b.bytes - sharedUsed);
    if (!fits) {
      this.dropFrames[p]! += 1;
      this.dropBytes[p]! += frameBytes;
      return false;
    }
    const v = this.nsPerByte[p]!;
    const start = Math.max(tNs, this.busyUntilNs[p]!);
    const serNs = wireBytes * v;
    const end = start + serNs;
    this.busyUntilNs[p] = end;
    this.lastEndNs = end;
    if (tNs > this.lastEnqNs[p]!) this.lastEnqNs[p] = tNs;
    // The queue with this frame in it (the time-average below counts the frame too, so the peak must).
    const qAfter = (end - tNs) / v;
    if (qAfter > this.maxQueueBytes[p]!) this.maxQueueBytes[p] = qAfter;
    // Waiting behind the backlog, then draining linearly while on the wire.
    this.queueByteNs[p]! += frameBytes * (start - tNs) + (frameBytes * serNs) / 2;
    this.txFrames[p]! += 1;
    this.txBytes[p]! += wireBytes;
    return true;
  }

  /** Forget the counters (end of warm-up, at `nowNs`); the queues stay, and what they hold is sent in the new window. */
  resetCounters(nowNs: number): void {
    for (const a of [this.dropFrames, this.dropBytes, this.txFrames, this.txBytes, this.sentMark, this.maxQueueBytes, this.queueByteNs]) a.fill(0);
    for (let p = 0; p < this.ports; p++) this.txBytes[p] = this.backlogBytes(p, nowNs);
  }
}
