// The execution model (ARCHITECTURE §4): a VCPU's guest owns work sources in
// priority order (softirq-like before process-like). When the VCPU holds a
// PCPU it takes the next work item — sized in cycles when it starts, so a
// batch takes what has piled up while the VCPU was descheduled — and the item
// advances only while the VCPU runs. A guest with nothing to do blocks.

export interface WorkContext {
  nowNs: number;
  /** PCPU the VCPU runs on now (cache-locality factors depend on it). */
  pcpu: number;
}

export interface WorkItem {
  /** Component charged for these cycles (e.g. "bridge", "netback", "hog"). */
  component: string;
  cycles: number;
  /** Packets this item handles (for cycles-per-packet accounting); 0 if none. */
  packets: number;
  /** Effects at completion (may post work elsewhere and notify VCPUs). */
  done(ctx: WorkContext): void;
}

export interface WorkSource {
  readonly name: string;
  /** Has something to do now (no side effects). */
  pending(): boolean;
  /** Start the next item (null if nothing after all). */
  take(ctx: WorkContext): WorkItem | null;
}

/** A guest's work: sources tried in order; the current item and its remaining cycles. */
export class GuestWork {
  current: WorkItem | null = null;
  remainingCycles = 0;
  private readonly sources: WorkSource[] = [];

  addSource(src: WorkSource): void {
    this.sources.push(src);
  }

  wantsCpu(): boolean {
    if (this.current) return true;
    for (const s of this.sources) if (s.pending()) return true;
    return false;
  }

  /** Take the next item from the first source that has work. */
  takeNext(ctx: WorkContext): WorkItem | null {
    for (const s of this.sources) {
      if (!s.pending()) continue;
      const item = s.take(ctx);
      if (item) {
        this.current = item;
        this.remainingCycles = item.cycles;
        return item;
      }
    }
    return null;
  }
}
