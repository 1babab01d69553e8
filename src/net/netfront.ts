// netfront's receive side in the guest (linux-2.6-xen-sparse
// drivers/xen/netfront/netfront.c, Xen 3.1): the receive buffers it keeps
// posted in the shared ring, and its NAPI mode.
//
// How many buffers are posted is the mechanism that decides how much of a
// burst netback can take: network_alloc_rx_buffers keeps rx_target buffers
// outstanding (RX_DFL_MIN_TARGET 64 .. RX_MAX_TARGET 256), but pushes a batch
// only once at least rx_target/2 are wanted; it doubles rx_target when a
// refill finds fewer than rx_target/4 still unused, and netif_poll lowers it
// by one after a poll that found more than 3/4 unused ("exponential increase,
// linear decrease"). The rx_refill_timer only retries failed allocations,
// which this model does not have.
import { createNetfrontMachine } from '../../actors/netfront.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import { crossed, type RxSharedRing } from './vifRing.ts';

export interface NetfrontConfig {
  /** np->rx_min_target: RX_DFL_MIN_TARGET 64 (settable down to RX_MIN_TARGET 8 via sysfs). */
  rxMinTarget: number;
  /** np->rx_max_target: RX_MAX_TARGET = min(NET_RX_RING_SIZE, 256). */
  rxMaxTarget: number;
  /** NAPI dev->weight of the vif (64). */
  napiWeight: number;
  /** Ring slots (posted buffers) a data segment fills: more than one for a jumbo frame (frames.ts); an ACK fills one. */
  slotsPerSegment: number;
}

export class NetfrontRx {
  /** Responses netback has pushed and the guest has not polled yet (their data, in ring order). */
  readonly responses: PacketQueue;
  /** np->rx.req_prod_pvt. */
  reqProdPvt = 0;
  /** np->rx.rsp_cons. */
  rspCons = 0;
  /** np->rx_target. */
  rxTarget: number;
  /** skb_queue_len(&np->rx_batch): buffers allocated, not yet posted. */
  rxBatch = 0;
  /** PCPU of the last grant copy into this guest's buffers (cache locality). */
  producerPcpu = 0;
  napiScheduled = false;
  /** Counters for results: refills pushed, target changes, posted-buffer samples. */
  refills = 0;
  targetGrows = 0;
  targetShrinks = 0;
  readonly machine: XStateActor<ReturnType<typeof createNetfrontMachine>>;

  constructor(
    actorId: number,
    sim: Sim,
    readonly cfg: NetfrontConfig,
    readonly ring: RxSharedRing,
    /** netif_int: the guest's VCPU must run its NAPI poll. */
    kickGuest: () => void,
  ) {
    this.responses = new PacketQueue(ring.slots);
    this.rxTarget = cfg.rxMinTarget;
    this.machine = new XStateActor(actorId, sim, createNetfrontMachine({
      schedulePoll: () => {
        this.napiScheduled = true;
        kickGuest();
      },
    }));
  }

  /** Buffers posted and not yet filled by netback (req_prod - rsp_prod as netfront sees them). */
  get posted(): number {
    return this.ring.reqProd - this.ring.rspProd;
  }

  /** Connect: network_alloc_rx_buffers fills the ring to rx_target (backend not yet waiting: no notify). */
  connect(): void {
    this.allocRxBuffers();
  }

  /** netback pushed responses carrying these packets; netif_int if the guest armed rsp_event. */
  deliver(runs: readonly Run[], producerPcpu: number, notify: boolean): void {
    for (const r of runs) {
      // netback takes a request slot for every response it pushes (netbk_queue_full): more than the ring holds
      // is a broken invariant, not a drop to count.
      const room = this.responses.capacityPackets - this.responses.length;
      if (this.responses.push(r.flow, r.seq, r.count, r.ack) !== r.count) throw new Error(`netfront: ${r.count} responses pushed with room for ${room}: netback overran the shared ring`);
    }
    this.producerPcpu = producerPcpu;
    if (notify && this.machine.value === 'armed') this.machine.send({ type: 'NOTIFY' });
  }

  /** The poll takes up to `max` packets (netif_poll's per-packet loop; a jumbo one gathers its fragments' responses). */
  take(max: number, out: Run[]): number {
    return this.responses.pop(Math.min(max, this.responses.length), out);
  }

  /** Responses (ring slots) the packets of `runs` took. */
  slotsOf(runs: readonly Run[]): number {
    let slots = 0;
    for (const r of runs) slots += r.count * (r.ack === undefined ? this.cfg.slotsPerSegment : 1);
    return slots;
  }

  /**
   * End of netif_poll that consumed `slots` responses: lower the target after a poll that
   * found many buffers unused, refill, and — if the quota was not used up —
   * RING_FINAL_CHECK_FOR_RESPONSES (rsp_event = rsp_cons + 1) and complete.
   * Returns whether the push of new buffers crossed netback's req_event.
   */
  pollDone(slots: number, quotaUsedUp: boolean): boolean {
    this.rspCons += slots;
    if (this.reqProdPvt - this.ring.rspProd > Math.floor((3 * this.rxTarget) / 4)) {
      if (--this.rxTarget < this.cfg.rxMinTarget) this.rxTarget = this.cfg.rxMinTarget;
      else this.targetShrinks++;
    }
    const notify = this.allocRxBuffers();
    let more = quotaUsedUp;
    if (!more) {
      this.ring.rspEvent = this.rspCons + 1;
      more = this.ring.rspProd > this.rspCons;
    }
    if (!more) this.napiScheduled = false;
    this.machine.send({ type: 'POLL_DONE', more });
    return notify;
  }

  /** network_alloc_rx_buffers; true if the push must notify the backend. */
  private allocRxBuffers(): boolean {
    const reqProd = this.reqProdPvt;
    const batchTarget = this.rxTarget - (reqProd - this.rspCons);
    this.rxBatch = Math.max(this.rxBatch, batchTarget);
    // "Is the batch large enough to be worthwhile?"
    if (this.rxBatch < Math.floor(this.rxTarget / 2)) {
      return this.reqProdPvt > this.ring.reqProd ? this.push() : false;
    }
    // "Adjust our fill target if we risked running out of buffers."
    if (reqProd - this.ring.rspProd < Math.floor(this.rxTarget / 4)) {
      const grown = Math.min(this.rxTarget * 2, this.cfg.rxMaxTarget);
      if (grown > this.rxTarget) this.targetGrows++;
      this.rxTarget = grown;
    }
    this.reqProdPvt += this.rxBatch;
    this.rxBatch = 0;
    this.refills++;
    return this.push();
  }

  /** RING_PUSH_REQUESTS_AND_CHECK_NOTIFY. */
  private push(): boolean {
    const old = this.ring.reqProd;
    this.ring.reqProd = this.reqProdPvt;
    return crossed(this.ring.reqEvent, old, this.ring.reqProd);
  }
}
