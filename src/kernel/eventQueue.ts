// Min-heap of events keyed by (timeNs, srcActorId, srcSeq): the total order
// that makes runs identical for any number of partitions.
// The key is unique per event, so any correct priority queue pops the same
// sequence; this one is tuned for the kernel's hot loop: 4-ary (half the
// depth of a binary heap, fewer moves per push), and the three key fields
// mirrored in typed arrays beside the event objects, so comparisons read
// numbers from flat memory instead of chasing event objects.

export interface SimEvent {
  timeNs: number;
  srcId: number;
  srcSeq: number;
  /** Destination actor id for messages; -1 for timers. */
  dstId: number;
  msg: unknown;
  /** Timer callback (dstId = -1): a closure (not checkpointable) … */
  fn: (() => void) | null;
  /** … or, as data, `target[method](msg)`. */
  target?: object | null;
  method?: string | null;
  cancelled: boolean;
}

const ARITY = 4;

export class EventQueue {
  private heap: SimEvent[] = [];
  /** Keys of heap[i], mirrored: time, source actor, source sequence. */
  private t = new Float64Array(256);
  private s = new Float64Array(256);
  private q = new Float64Array(256);

  /** Every queued event (heap order), for checkpoints. */
  events(): readonly SimEvent[] {
    return this.heap;
  }

  clear(): void {
    this.heap = [];
  }

  get size(): number {
    return this.heap.length;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  /** Time of the first event, or Infinity when empty. */
  peekTimeNs(): number {
    return this.heap.length > 0 ? this.t[0]! : Infinity;
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n);
    const s = new Float64Array(n);
    const q = new Float64Array(n);
    t.set(this.t);
    s.set(this.s);
    q.set(this.q);
    this.t = t;
    this.s = s;
    this.q = q;
  }

  push(ev: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    if (i === this.t.length) this.grow();
    const t = this.t;
    const s = this.s;
    const q = this.q;
    const et = ev.timeNs;
    const es = ev.srcId;
    const eq = ev.srcSeq;
    h.push(ev);
    while (i > 0) {
      const p = ((i - 1) / ARITY) | 0;
      const pt = t[p]!;
      // Stop once the parent comes first.
      if (pt < et || (pt === et && (s[p]! < es || (s[p] === es && q[p]! < eq)))) break;
      h[i] = h[p]!;
      t[i] = pt;
      s[i] = s[p]!;
      q[i] = q[p]!;
      i = p;
    }
    h[i] = ev;
    t[i] = et;
    s[i] = es;
    q[i] = eq;
  }

  /** Place `ev` (keys et, es, eq) at hole i of a heap of m events, moving smaller children up. */
  private siftDown(i: number, m: number, ev: SimEvent, et: number, es: number, eq: number): void {
    const h = this.heap;
    const t = this.t;
    const s = this.s;
    const q = this.q;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= m) break;
      // The smallest child.
      let c = first;
      let ct = t[first]!;
      const last = Math.min(first + ARITY, m);
      for (let k = first + 1; k < last; k++) {
        const kt = t[k]!;
        if (kt < ct || (kt === ct && (s[k]! < s[c]! || (s[k] === s[c] && q[k]! < q[c]!)))) {
          c = k;
          ct = kt;
        }
      }
      // Stop once ev comes before that child.
      if (et < ct || (et === ct && (es < s[c]! || (es === s[c] && eq < q[c]!)))) break;
      h[i] = h[c]!;
      t[i] = ct;
      s[i] = s[c]!;
      q[i] = q[c]!;
      i = c;
    }
    h[i] = ev;
    t[i] = et;
    s[i] = es;
    q[i] = eq;
  }

  /**
   * Drop the cancelled events (timers cancelled before they fired: they would
   * only be popped and skipped) and rebuild the heap (Floyd). Returns how many
   * went. The rest still pop in key order.
   */
  dropCancelled(): number {
    const h = this.heap;
    let w = 0;
    for (let r = 0; r < h.length; r++) {
      const ev = h[r]!;
      if (!ev.cancelled) h[w++] = ev;
    }
    const dropped = h.length - w;
    if (dropped === 0) return 0;
    h.length = w;
    for (let i = 0; i < w; i++) {
      const ev = h[i]!;
      this.t[i] = ev.timeNs;
      this.s[i] = ev.srcId;
      this.q[i] = ev.srcSeq;
    }
    for (let i = Math.floor((w - 2) / ARITY); i >= 0; i--) this.siftDown(i, w, h[i]!, this.t[i]!, this.s[i]!, this.q[i]!);
    return dropped;
  }

  /** Pop the first event if its time is before `endNs`, else leave the queue as it is and return null. */
  popBefore(endNs: number): SimEvent | null {
    if (this.heap.length === 0 || !(this.t[0]! < endNs)) return null;
    return this.pop()!;
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (n > 1) {
      const m = n - 1;
      this.siftDown(0, m, last, this.t[m]!, this.s[m]!, this.q[m]!);
    }
    return top;
  }
}
