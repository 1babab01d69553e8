// ACKs waiting for CPU on one VCPU, as a softirq work source: each batch
// costs its per-packet parts, then goes on (to the wire, or to netback).
import type { WorkItem, WorkPart, WorkSource } from '../xen/work.ts';
import type { AckOut } from './receiverStack.ts';

export class AckQueue implements WorkSource {
  readonly workClass = 'softirq' as const;
  private acks: AckOut[] = [];

  constructor(
    readonly name: string,
    private readonly costOf: (packets: number) => WorkPart[],
    private readonly out: (acks: AckOut[]) => void,
  ) {}

  add(a: readonly AckOut[]): void {
    for (const x of a) this.acks.push(x);
  }

  pending(): boolean {
    return this.acks.length > 0;
  }

  take(): WorkItem {
    const batch = this.acks;
    this.acks = [];
    const packets = batch.reduce((s, a) => s + a.decision.ackPackets, 0);
    return { parts: this.costOf(packets), done: () => this.out(batch) };
  }
}
