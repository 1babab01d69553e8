// netfront's transmit side in a guest that sends (linux-2.6-xen-sparse
// netfront.c, Xen 3.1): the guest's eth0 qdisc (pfifo_fast, txqueuelen 1000)
// in front of the shared TX ring (NET_TX_RING_SIZE 256). network_start_xmit
// pushes a request per packet while netfront_tx_slot_available (fewer than
// 256 − MAX_SKB_FRAGS − 2 outstanding), else stops the queue; the qdisc holds
// the rest. netback takes requests in net_tx_action and answers each once
// Dom0 is done with the packet; the guest reclaims the answered slots in
// network_tx_buf_gc — in netif_int and after each network_start_xmit — and
// wakes its queue. network_tx_buf_gc asks to be notified once half of what is
// then outstanding is answered (rsp_event = prod + ((req_prod − prod) >> 1) +
// 1), whether or not the queue is stopped. netback asks to be notified of the
// next request once it finds the ring empty (RING_FINAL_CHECK_FOR_REQUESTS).
import type { AckPayload } from '../ackPayload.ts';
import { PacketQueue, type Run } from '../packetQueue.ts';

export class NetfrontTx {
  readonly qdisc: PacketQueue;
  /** Requests pushed and not yet taken by netback. */
  readonly ring: PacketQueue;
  /** Requests netback took and has not answered yet. */
  inService = 0;
  /** Answered requests the guest has not reclaimed yet (rsp_prod − rsp_cons). */
  answered = 0;
  /** Answers still to come before netback notifies the guest (rsp_event − rsp_prod); RING_INIT's rsp_event is 1. */
  private answersToNotify = 1;
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
    // The gc after each request pushed reclaims what was answered before (a running queue always has a
    // free slot for its first request: it stops when none is left).
    if (this.qdisc.length > 0) this.answered = 0;
    const room = this.maxOutstanding - this.ring.length - this.inService - this.answered;
    let pushed = 0;
    if (room > 0 && this.qdisc.length > 0) {
      const runs: Run[] = [];
      pushed = this.qdisc.pop(Math.min(room, this.qdisc.length), runs);
      for (const r of runs) this.ring.push(r.flow, r.seq, r.count, r.ack);
      this.packetsSent += pushed;
    }
    // network_start_xmit ends with network_tx_buf_gc, then stops the queue if no slot is left
    // (netfront_tx_slot_available); a backlog the ring could not take stops it too.
    if (pushed > 0) this.gc();
    if (this.qdisc.length > 0 || (pushed > 0 && this.ring.length + this.inService >= this.maxOutstanding)) this.stopped = true;
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

  /** netback answered `n` requests (make_tx_response); true if that crossed the guest's rsp_event. */
  responded(n: number): boolean {
    this.inService -= n;
    this.answered += n;
    const crossed = this.answersToNotify > 0 && n >= this.answersToNotify;
    this.answersToNotify -= n;
    return crossed;
  }

  /** network_tx_buf_gc: reclaim the answered slots, ask to hear of the next half of what is outstanding. */
  private gc(): void {
    this.answered = 0;
    this.answersToNotify = ((this.ring.length + this.inService) >> 1) + 1;
  }

  /** netif_int: network_tx_buf_gc, then wake a stopped queue and run it. Returns whether netback must be notified. */
  wake(): boolean {
    this.gc();
    if (!this.stopped) return false;
    this.stopped = false;
    return this.drain();
  }
}
