// A set of segment numbers kept as sorted, disjoint, non-adjacent half-open
// ranges [start, end): a TCP sender's scoreboard (Linux marks each skb
// SACKED_ACKED, LOST or SACKED_RETRANS; in segment units these are ranges).

export class SegmentSet {
  private starts: number[] = [];
  private ends: number[] = [];
  /** Segments in the set (a field, not a getter: the sender reads it several times per ACK). Read-only outside. */
  size = 0;

  get rangeCount(): number {
    return this.starts.length;
  }

  /** Highest segment + 1, or null when empty. */
  get maxEnd(): number | null {
    return this.ends.length ? this.ends[this.ends.length - 1]! : null;
  }

  clear(): void {
    this.starts = [];
    this.ends = [];
    this.size = 0;
  }

  /** Index of the first range whose end is >= seq. */
  private firstEndingAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(seq: number): boolean {
    const i = this.firstEndingAtOrAfter(seq + 1);
    return i < this.starts.length && this.starts[i]! <= seq;
  }

  /** Segments of [start, end) in the set. */
  countIn(start: number, end: number): number {
    let n = 0;
    for (let i = this.firstEndingAtOrAfter(start + 1); i < this.starts.length && this.starts[i]! < end; i++) {
      n += Math.min(end, this.ends[i]!) - Math.max(start, this.starts[i]!);
    }
    return n;
  }

  /** Add [start, end); returns how many segments were new. */
  add(start: number, end: number): number {
    if (!(end > start)) return 0;
    const lo = this.firstEndingAtOrAfter(start);
    let s = start;
    let e = end;
    let held = 0;
    let j = lo;
    for (; j < this.starts.length && this.starts[j]! <= end; j++) {
      held += Math.max(0, Math.min(end, this.ends[j]!) - Math.max(start, this.starts[j]!));
      if (this.starts[j]! < s) s = this.starts[j]!;
      if (this.ends[j]! > e) e = this.ends[j]!;
    }
    if (j - lo === 1) {
      // One range absorbs [start, end): update it in place (no splice, which allocates).
      this.starts[lo] = s;
      this.ends[lo] = e;
    } else if (j === lo && lo === this.starts.length) {
      this.starts.push(s);
      this.ends.push(e);
    } else {
      this.starts.splice(lo, j - lo, s);
      this.ends.splice(lo, j - lo, e);
    }
    const added = end - start - held;
    this.size += added;
    return added;
  }

  /** Remove [start, end); returns how many segments were removed. */
  remove(start: number, end: number): number {
    if (!(end > start)) return 0;
    let removed = 0;
    let i = this.firstEndingAtOrAfter(start + 1);
    while (i < this.starts.length && this.starts[i]! < end) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      const cutS = Math.max(s, start);
      const cutE = Math.min(e, end);
      removed += cutE - cutS;
      if (s < cutS && e > cutE) {
        // Split in two.
        this.ends[i] = cutS;
        this.starts.splice(i + 1, 0, cutE);
        this.ends.splice(i + 1, 0, e);
        break;
      } else if (s < cutS) {
        this.ends[i] = cutS;
        i++;
      } else if (e > cutE) {
        this.starts[i] = cutE;
        break;
      } else {
        this.starts.splice(i, 1);
        this.ends.splice(i, 1);
      }
    }
    this.size -= removed;
    return removed;
  }

  /** Remove everything below `seq`; returns how many segments were removed. */
  trimBelow(seq: number): number {
    if (this.starts.length === 0 || this.starts[0]! >= seq) return 0;
    return this.remove(this.starts[0]!, seq);
  }

  /** Ranges overlapping [start, end), clipped to it, in order. */
  *rangesIn(start: number, end: number): Generator<[number, number]> {
    for (let i = this.firstEndingAtOrAfter(start + 1); i < this.starts.length && this.starts[i]! < end; i++) {
      yield [Math.max(start, this.starts[i]!), Math.min(end, this.ends[i]!)];
    }
  }

  /** The first run of segments in [from, to) NOT in the set, or null. */
  firstGap(from: number, to: number): [number, number] | null {
    let s = from;
    for (let i = this.firstEndingAtOrAfter(from + 1); i < this.starts.length && s < to; i++) {
      if (this.starts[i]! > s) return [s, Math.min(to, this.starts[i]!)];
      s = Math.max(s, this.ends[i]!);
    }
    return s < to ? [s, to] : null;
  }

  toArray(): [number, number][] {
    return this.starts.map((s, i) => [s, this.ends[i]!]);
  }
}
