// netfront's transmit side in a guest that sends (linux-2.6-xen-sparse
// netfront.c, Xen 3.1): the guest's eth0 qdisc (pfifo_fast, txqueuelen 1000)
// in front of the shared TX ring (NET_TX_RING_SIZE 256). network_start_xmit
// pushes a request per packet while netfront_tx_slot_available (fewer than
// 256 − MAX_SKB_FRAGS − 2 outstanding), else stops the queue; the qdisc holds
// the rest. netback takes requests in net_tx_action and answers each once it
// has copied the packet; the guest reclaims those slots (network_tx_buf_gc in
// netif_int) and wakes its queue. netback asks to be notified of the next
// request once it finds the ring empty (RING_FINAL_CHECK_FOR_REQUESTS).
import type { AckPayload } from '../ackPayload.ts';
import { PacketQueue, type Run } from '../packetQueue.ts';

export class NetfrontTx {
  readonly qdisc: PacketQueue;
  /** Requests pushed and not yet taken by netback. */
  readonly ring: PacketQueue;
  /** Requests netback took and has not answered yet. */
  inService = 0;
  /** netif_stop_queue: the ring had no room for the qdisc's head. */
  stopped = false;
  /** netback's req_event is armed: the next push notifies it. */
  netbackArmed = true;
  /** Packets of a transmit item in progress (counted against the qdisc's room). */
  reserved = 0;
  qdiscDrops = 0;
  packetsSent = 0;
  /** Most requests outstanding while the queue may run: 256 − MAX_SKB_FRAGS − 2. */
  private readonly maxOutstanding: number;

  constructor(txqueuelen: number, ringSlots: number, reserveSlots: number) {
    this.qdisc = new PacketQueue(txqueuelen);
    this.ring = new PacketQueue(ringSlots);
    this.maxOutstanding = ringSlots - reserveSlots;
  }

  /** Packets the transmit softirq may still hand to the qdisc. */
  room(): number {
    return this.qdisc.free - this.reserved;
  }

  /** dev_queue_xmit of a batch into the qdisc (drop-tail), then qdisc_run. Returns whether netback must be notified. */
  enqueue(runs: readonly Run[]): boolean {
    for (const r of runs) {
      const ack: AckPayload | undefined = r.ack;
      const n = this.qdisc.push(r.flow, r.seq, r.count, ack);
      this.qdiscDrops += r.count - n;
    }
    return this.drain();
  }

  /** qdisc_run → network_start_xmit while slots are available. Returns whether netback must be notified. */
  drain(): boolean {
    if (this.stopped) return false;
    const room = this.maxOutstanding - this.ring.length - this.inService;
    let pushed = 0;
    if (room > 0 && this.qdisc.length > 0) {
      const runs: Run[] = [];
      pushed = this.qdisc.pop(Math.min(room, this.qdisc.length), runs);
      for (const r of runs) this.ring.push(r.flow, r.seq, r.count, r.ack);
      this.packetsSent += pushed;
    }
    if (this.qdisc.length > 0) this.stopped = true;
    if (pushed > 0 && this.netbackArmed) {
      this.netbackArmed = false;
      return true;
    }
    return false;
  }

  /** net_tx_action takes up to `max` requests. */
  take(max: number, out: Run[]): number {
    const n = this.ring.pop(max, out);
    this.inService += n;
    return n;
  }

  /** netback answered `n` requests; true if the guest must be notified (its queue is stopped). */
  responded(n: number): boolean {
    this.inService -= n;
    return this.stopped;
  }

  /** netif_int's network_tx_buf_gc: wake a stopped queue and run it. Returns whether netback must be notified. */
  wake(): boolean {
    if (!this.stopped) return false;
    this.stopped = false;
    return this.drain();
  }
}
