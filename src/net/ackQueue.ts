// ACKs waiting for CPU on one VCPU: each batch costs its per-packet parts,
// then goes on (to the wire, or to netback). 2.6.18 sends an ACK
// synchronously from where TCP decided it (tcp_send_ack → ip_output →
// dev_queue_xmit → qdisc_run → hard_start_xmit, in netif_poll's tcp_v4_rcv,
// the reader's prequeue or the delayed-ACK timer); NET_TX is raised only when
// the device queue is stopped. So the batch runs inline: right after the item
// that produced it, before net_rx_action polls again.
import type { WorkItem, WorkPart, WorkSource } from '../xen/work.ts';
import type { AckOut } from './receiverStack.ts';

export class AckQueue implements WorkSource<AckOut[]> {
  readonly workClass = 'softirq' as const;
  readonly inline = true;
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
