// Binary min-heap of events keyed by (timeNs, srcActorId, srcSeq): the total
// order that makes runs identical for any number of partitions (ARCHITECTURE §1.2).

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
  target?: object;
  method?: string;
  cancelled: boolean;
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs;
  if (a.srcId !== b.srcId) return a.srcId < b.srcId;
  return a.srcSeq < b.srcSeq;
}

export class EventQueue {
  private heap: SimEvent[] = [];

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

  push(ev: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
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
    for (let i = (w - 2) >> 1; i >= 0; i--) {
      const ev = h[i]!;
      let j = i;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= w) break;
        const r = l + 1;
        const c = r < w && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, ev)) break;
        h[j] = h[c]!;
        j = c;
      }
      h[j] = ev;
    }
    return dropped;
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (n > 1) {
      const m = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
