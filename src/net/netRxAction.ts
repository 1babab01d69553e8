// One CPU's NET_RX softirq as Linux 2.6.18 runs it (net/core/dev.c
// net_rx_action): the devices on the CPU's poll list (a NIC's NAPI poll, the
// backlog of netif_rx'd packets, a netfront) are polled in turn, each taking
// up to its quota (dev->weight, 64) before it moves to the tail, until the
// list is empty or the softirq's netdev_budget (300 packets) is spent; then
// the handler ends and NET_RX is raised again for the next __do_softirq pass.
// (The "jiffies - start_time > 1" break, 10–20 ms at HZ=100, never binds at
// these batch costs.)
import { SOFTIRQ, type WorkContext, type WorkItem, type WorkPart, type WorkSource } from '../xen/work.ts';

export interface NapiPoll<D = unknown> {
  /** Packets taken (0 is allowed: an empty poll completes the device). */
  packets: number;
  parts: WorkPart[];
  /** What the poll took, for `complete`. */
  data: D;
}

export interface NapiDevice<D = unknown> {
  readonly name: string;
  /** dev->weight: most packets one poll call takes (64 for ixgb, netfront and the backlog's weight_p). */
  readonly weight: number;
  /** On the poll list (netif_rx_schedule was called and the device has not completed). */
  scheduled(): boolean;
  /** dev->poll for up to `max` packets. */
  poll(max: number, ctx: WorkContext): NapiPoll<D>;
  /** The poll's cycles are spent: deliver what it took; returns whether the device stays scheduled. */
  complete(data: D, ctx: WorkContext): boolean;
}

interface PollItem {
  device: NapiDevice;
  data: unknown;
}

export class NetRxAction implements WorkSource<PollItem> {
  readonly name = 'net_rx_action';
  readonly softirq = SOFTIRQ.NET_RX;
  private readonly devices: NapiDevice[] = [];
  private budgetLeft = 0;
  private inHandler = false;
  private next = 0;
  /** Handler invocations and device polls (for results). */
  invocations = 0;
  polls = 0;

  constructor(
    /** netdev_budget. */
    private readonly budget: number,
  ) {}

  add<D>(dev: NapiDevice<D>): void {
    this.devices.push(dev as NapiDevice);
  }

  pending(): boolean {
    for (const d of this.devices) if (d.scheduled()) return true;
    return false;
  }

  continuing(): boolean {
    return this.inHandler;
  }

  take(ctx: WorkContext): WorkItem<PollItem> | null {
    if (!this.inHandler) {
      this.budgetLeft = this.budget;
      this.invocations++;
    }
    const n = this.devices.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const dev = this.devices[i]!;
      if (!dev.scheduled()) continue;
      this.next = (i + 1) % n;
      const p = dev.poll(Math.min(dev.weight, this.budgetLeft), ctx);
      this.budgetLeft -= p.packets;
      this.polls++;
      this.inHandler = true;
      return { parts: p.parts, source: this, data: { device: dev, data: p.data } };
    }
    this.inHandler = false;
    return null;
  }

  complete(item: WorkItem<PollItem>, ctx: WorkContext): void {
    item.data.device.complete(item.data.data, ctx);
    // Go on while the budget lasts and a device is still on the list.
    this.inHandler = this.budgetLeft > 0 && this.pending();
  }
}
