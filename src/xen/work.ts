// The execution model (ARCHITECTURE §4): a VCPU's guest owns work sources.
// Softirq-class sources (NAPI polls, tasklets) take turns round-robin, as
// do_softirq runs each pending softirq in turn; process-class sources (the
// iperf reader) run only when no softirq work is pending. An item is sized in
// cycles when it starts — so a batch takes what piled up while the VCPU was
// descheduled — and advances only while the VCPU runs. A guest with nothing
// to do blocks.

export interface WorkContext {
  nowNs: number;
  /** PCPU the VCPU runs on now (cache-locality factors depend on it). */
  pcpu: number;
}

export interface WorkPart {
  component: string;
  cycles: number;
  packets: number;
}

export interface WorkItem {
  /** Cycles split by component (cycles-per-packet accounting); their sum is the item's cost. */
  parts: WorkPart[];
  /** Effects at completion (may post work elsewhere and notify VCPUs). */
  done(ctx: WorkContext): void;
}

export type WorkClass = 'softirq' | 'process';

export interface WorkSource {
  readonly name: string;
  readonly workClass?: WorkClass;
  /** Has something to do now (no side effects). */
  pending(): boolean;
  /** Start the next item (null if nothing after all). */
  take(ctx: WorkContext): WorkItem | null;
}

export function itemCycles(item: WorkItem): number {
  let c = 0;
  for (const p of item.parts) c += p.cycles;
  return c;
}

/** A single-component item. */
export function work(component: string, cycles: number, packets: number, done: (ctx: WorkContext) => void = () => {}): WorkItem {
  return { parts: [{ component, cycles, packets }], done };
}

/** A guest's work: the current item, its remaining cycles, and where to look next. */
export class GuestWork {
  current: WorkItem | null = null;
  currentCycles = 0;
  remainingCycles = 0;
  private readonly softirq: WorkSource[] = [];
  private readonly process: WorkSource[] = [];
  private nextSoftirq = 0;
  private nextProcess = 0;

  addSource(src: WorkSource): void {
    (src.workClass === 'process' ? this.process : this.softirq).push(src);
  }

  wantsCpu(): boolean {
    if (this.current) return true;
    for (const s of this.softirq) if (s.pending()) return true;
    for (const s of this.process) if (s.pending()) return true;
    return false;
  }

  private takeFrom(list: WorkSource[], start: number, ctx: WorkContext): [WorkItem, number] | null {
    for (let k = 0; k < list.length; k++) {
      const i = (start + k) % list.length;
      const s = list[i]!;
      if (!s.pending()) continue;
      const item = s.take(ctx);
      if (item) return [item, i];
    }
    return null;
  }

  /** Take the next item: softirq work first (round-robin), then process work. */
  takeNext(ctx: WorkContext): WorkItem | null {
    let got = this.takeFrom(this.softirq, this.nextSoftirq, ctx);
    if (got) this.nextSoftirq = (got[1] + 1) % this.softirq.length;
    else {
      got = this.takeFrom(this.process, this.nextProcess, ctx);
      if (got) this.nextProcess = (got[1] + 1) % this.process.length;
    }
    if (!got) return null;
    this.current = got[0];
    this.currentCycles = itemCycles(got[0]);
    this.remainingCycles = this.currentCycles;
    return got[0];
  }
}
