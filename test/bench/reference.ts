// The machine's speed, as a yardstick for comparing bench figures across
// machines: a frozen copy of the kernel's original event loop (binary heap of
// event objects keyed by time, source, sequence; a Map of actors; a Map of
// per-source sequence counters) driving the same 64 ping-ponging actors as
// the "kernel plain events/s" figure. It must never be optimised or changed
// with the kernel — only then does "figure ÷ reference" mean the same on
// every machine and at every commit.

interface Ev {
  timeNs: number;
  srcId: number;
  srcSeq: number;
  dstId: number;
}

function before(a: Ev, b: Ev): boolean {
  if (a.timeNs !== b.timeNs) return a.timeNs < b.timeNs;
  if (a.srcId !== b.srcId) return a.srcId < b.srcId;
  return a.srcSeq < b.srcSeq;
}

class Heap {
  private h: Ev[] = [];
  push(ev: Ev): void {
    const h = this.h;
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
  pop(): Ev | undefined {
    const h = this.h;
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

/**
 * Events per wall second of the frozen loop: the best of three runs of
 * `events` (after a warm-up of a tenth) — other work on the machine only ever
 * slows a run down, so the fastest is the machine's own speed.
 */
export function referenceEventsPerSecond(events: number): number {
  const run = (count: number): number => {
    const heap = new Heap();
    const seqs = new Map<number, number>();
    const actors = new Map<number, (now: number) => void>();
    let state = 0x9e3779b9;
    const rand = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const send = (src: number, dst: number, timeNs: number) => {
      const s = seqs.get(src) ?? 0;
      seqs.set(src, s + 1);
      heap.push({ timeNs, srcId: src, srcSeq: s, dstId: dst });
    };
    const n = 64;
    for (let i = 0; i < n; i++) {
      actors.set(i, (now) => send(i, (i + 1) % n, now + 1 + (rand() & 1023)));
      send(i, i, i);
    }
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < count; k++) {
      const ev = heap.pop()!;
      actors.get(ev.dstId)!(ev.timeNs);
    }
    return count / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  run(Math.max(1000, Math.round(events / 10)));
  return Math.max(run(events), run(events), run(events));
}
