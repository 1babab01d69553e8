// Sorted, disjoint, non-adjacent half-open segment ranges [start, end): the
// receiver's out-of-order queue (Linux tcp_data_queue_ofo keeps skbs; a
// model only needs which sequence numbers are held).

export interface SeqRange {
  readonly start: number;
  readonly end: number;
}

export class SeqRanges {
  private ranges: SeqRange[] = [];
  private heldSegs = 0;

  /** Segments held in all ranges. */
  get size(): number {
    return this.heldSegs;
  }

  get rangeCount(): number {
    return this.ranges.length;
  }

  first(): SeqRange | undefined {
    return this.ranges[0];
  }

  has(seq: number): boolean {
    for (const r of this.ranges) {
      if (seq < r.start) return false;
      if (seq < r.end) return true;
    }
    return false;
  }

  /** Add [start, end); merges overlapping and adjacent ranges. Returns how many segments were new. */
  add(start: number, end: number): number {
    if (!(end > start)) return 0;
    const rs = this.ranges;
    // First range that overlaps or touches [start, end): ranges are sorted by end too.
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid]!.end < start) lo = mid + 1;
      else hi = mid;
    }
    let mergedStart = start;
    let mergedEnd = end;
    let alreadyHeld = 0;
    let j = lo;
    for (; j < rs.length && rs[j]!.start <= end; j++) {
      const r = rs[j]!;
      alreadyHeld += Math.max(0, Math.min(end, r.end) - Math.max(start, r.start));
      if (r.start < mergedStart) mergedStart = r.start;
      if (r.end > mergedEnd) mergedEnd = r.end;
    }
    rs.splice(lo, j - lo, { start: mergedStart, end: mergedEnd });
    const added = end - start - alreadyHeld;
    this.heldSegs += added;
    return added;
  }

  /** Remove and return the first range when it starts at `seq` (a filled hole). */
  takeIfStartsAt(seq: number): SeqRange | null {
    const r = this.ranges[0];
    if (!r || r.start !== seq) return null;
    this.ranges.shift();
    this.heldSegs -= r.end - r.start;
    return r;
  }

  toArray(): readonly SeqRange[] {
    return this.ranges.slice();
  }
}
