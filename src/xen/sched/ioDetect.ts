// Detection of I/O VCPU pairs for the paper's Opt A and Opt B (§5.1): count,
// per accounting period (a time slice), the event-channel sends between two
// VCPUs, both ways; above a threshold both are I/O VCPUs, each the other's
// partner.

export interface IoDetectParams {
  /** Events per period above which a pair counts as I/O VCPUs (paper: 150). */
  threshold: number;
}

export class IoDetector {
  private counts = new Map<number, number>();
  /** vcpu → partner vcpu, for VCPUs marked as I/O in the last period. */
  readonly partner = new Map<number, number>();

  constructor(readonly params: IoDetectParams) {}

  isIo(vcpu: number): boolean {
    return this.partner.has(vcpu);
  }

  /** An event from `waker` to `wakee`; both directions count for the pair (netback→netfront data, netfront→netback ACKs). */
  record(waker: number, wakee: number): void {
    const key = Math.min(waker, wakee) * 65536 + Math.max(waker, wakee);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** End of a period: pairs above the threshold become (or stay) I/O VCPUs; counters restart. */
  endPeriod(): void {
    this.partner.clear();
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      if (this.counts.get(key)! <= this.params.threshold) continue;
      const waker = Math.floor(key / 65536);
      const wakee = key % 65536;
      if (!this.partner.has(wakee)) this.partner.set(wakee, waker);
      if (!this.partner.has(waker)) this.partner.set(waker, wakee);
    }
    this.counts.clear();
  }
}
