// ACKs waiting for CPU on one VCPU, as a softirq work source: each batch
// costs its per-packet parts, then goes on (to the wire, or to netback).
import { SOFTIRQ, type WorkItem, type WorkPart, type WorkSource } from '../xen/work.ts';
import type { AckOut } from './receiverStack.ts';

export class AckQueue implements WorkSource<AckOut[]> {
  readonly workClass = 'softirq' as const;
  private acks: AckOut[] = [];

  constructor(
    readonly name: string,
    private readonly costOf: (packets: number) => WorkPart[],
    private readonly out: (acks: AckOut[]) => void,
    /** Transmit runs as NET_TX by default (dev_queue_xmit from the receive softirq). */
    readonly softirq: number = SOFTIRQ.NET_TX,
  ) {}

  add(a: readonly AckOut[]): void {
    for (const x of a) this.acks.push(x);
  }

  pending(): boolean {
    return this.acks.length > 0;
  }

  take(): WorkItem<AckOut[]> {
    const batch = this.acks;
    this.acks = [];
    let packets = 0;
    for (const a of batch) packets += a.decision.ackPackets;
    return { parts: this.costOf(packets), source: this, data: batch };
  }

  complete(item: WorkItem<AckOut[]>): void {
    this.out(item.data);
  }
}
