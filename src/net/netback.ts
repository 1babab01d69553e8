// One vif's receive side in netback (linux-2.6-xen-sparse drivers/xen/netback,
// Xen 3.1): the vif's qdisc (pfifo_fast, tx_queue_len packets, drop-tail), and
// netif_be_start_xmit's accounting of request slots. A packet is taken only
// while netbk_queue_full() is false; each takes nr_frags + 1 request slots
// (rx_req_cons_peek: one for a linear MTU frame in copy mode, more for a jumbo
// frame netbk_copy_skb split into page fragments; frames.ts). When
// the ring runs short, netback asks for a notification at peek + needed
// (req_event), stops the queue and arms a 500 ms wake timer; the qdisc then
// holds what the bridge sends, and drops beyond txqueuelen.
import { createNetbackMachine } from '../../actors/netback.ts';
import type { Sim, TimerHandle } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import { splitAck } from './ackPayload.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import type { RxSharedRing } from './vifRing.ts';

export interface NetbackConfig {
  /** The vif's tx_queue_len (netback/interface.c: 32; the paper's Opt D makes it configurable). */
  txqueuelen: number;
  ringSlots: number;
  /** net_rx_action stops when count + MAX_SKB_FRAGS >= NET_RX_RING_SIZE: 238 slots per pass. */
  maxSlotsPerPass: number;
  /** netbk_max_required_rx_slots: MAX_SKB_FRAGS + 2 = 20 when the frontend has feature-sg, else 1. */
  neededSlots: number;
  /** Request slots a data segment takes (rxSlotsPerSegment: 1 at a 1500-byte MTU); an ACK takes 1. */
  slotsPerSegment: number;
  /** Bytes netif_be_start_xmit copies (netbk_copy_skb) for a data segment whose head crosses a page; 0 if none. */
  copyBytesPerSegment: number;
  /** netif_be_start_xmit's tx_queue_timeout: the stopped queue is woken after this (ns; 0 = none). */
  stopTimeoutNs: number;
}

export class NetbackVif {
  readonly qdisc: PacketQueue;
  /** rx_req_cons_peek: request slots promised to packets taken by netif_be_start_xmit. */
  peek = 0;
  /** rx.req_cons: request slots the grant copy has used. */
  reqCons = 0;
  /** rx.rsp_prod_pvt: responses written, not yet pushed. */
  rspProdPvt = 0;
  /** Packets of this vif in the global rx_queue (taken, not yet copied). */
  queued = 0;
  stopped = false;
  stops = 0;
  qdiscDrops = 0;
  /** Wakes by the 500 ms timer (an inactive frontend). */
  timeoutWakes = 0;
  /** Packets given slots beyond those posted (see consumed). */
  frontendOverruns = 0;
  readonly machine: XStateActor<ReturnType<typeof createNetbackMachine>>;
  private timeout: TimerHandle | null = null;

  constructor(
    actorId: number,
    private readonly sim: Sim,
    readonly cfg: NetbackConfig,
    readonly ring: RxSharedRing,
    /** The queue was woken by the timer: run the qdisc (NET_TX on the CPU that runs the timer). */
    private readonly onTimeoutWake: () => void,
  ) {
    this.qdisc = new PacketQueue(cfg.txqueuelen);
    this.machine = new XStateActor(actorId, sim, createNetbackMachine());
  }

  /** Request slots posted by the frontend and not yet promised to a packet. */
  get postedFree(): number {
    return this.ring.reqProd - this.peek;
  }

  /**
   * netbk_queue_full. Its second term (responses not yet pushed leave no room) guards against a frontend that
   * posts past the ring; netfront as modelled never posts more than rxMaxTarget ≤ ringSlots, so the first
   * term always decides — kept as the source has it.
   */
  full(): boolean {
    const needed = this.cfg.neededSlots;
    return this.ring.reqProd - this.peek < needed || this.rspProdPvt + this.cfg.ringSlots - this.peek < needed;
  }

  /** Packets of `slots` slots each netif_be_start_xmit takes now, before netbk_queue_full holds. */
  private acceptable(slots: number): number {
    const free = Math.min(this.ring.reqProd - this.peek, this.rspProdPvt + this.cfg.ringSlots - this.peek) - this.cfg.neededSlots;
    return free < 0 ? 0 : Math.floor(free / slots) + 1;
  }

  /** Request slots one packet of this run takes. */
  slotsOf(ack: Run['ack']): number {
    return ack === undefined ? this.cfg.slotsPerSegment : 1;
  }

  /**
   * dev_queue_xmit(vif) from the bridge: through the qdisc into
   * netif_be_start_xmit while the queue runs. Taken packets are appended to
   * `taken` (for the global rx_queue); returns how many were taken.
   */
  xmit(run: Run, taken: Run[]): number {
    let seq = run.seq;
    let left = run.count;
    let got = 0;
    // An ACK run (fleet hosts) is split like a data run: taken head, queued tail.
    const ack = run.ack;
    if (!this.stopped && this.qdisc.length > 0) {
      // Woken, its qdisc not yet run: dev_queue_xmit enqueues (pfifo_fast drops past txqueuelen), then
      // qdisc_run drains the backlog into netif_be_start_xmit (2.6.18 net/core/dev.c).
      if (this.qdisc.length >= this.qdisc.capacityPackets) {
        this.qdiscDrops++;
        if (ack !== undefined && left > 1) splitAck(ack, 1);
        seq++;
        left--;
      }
      got += this.runQdisc(taken);
    }
    if (left > 0 && !this.stopped && this.qdisc.length === 0) {
      const n = this.startXmit(run.flow, seq, left, taken, ack);
      seq += n;
      left -= n;
      got += n;
      // Still running yet short: the ring was full on entry (a queue the timer woke). qdisc_run hands every
      // packet straight to netif_be_start_xmit, which drops each one; none waits in the qdisc.
      if (left > 0 && !this.stopped) {
        this.qdiscDrops += left;
        left = 0;
      }
    }
    if (left > 0) {
      const q = this.qdisc.push(run.flow, seq, left, ack);
      this.qdiscDrops += left - q;
    }
    return got;
  }

  /** qdisc_run after a wake (net_tx_action on the waking CPU): feed netback until it stops again. */
  runQdisc(taken: Run[]): number {
    let got = 0;
    while (!this.stopped && this.qdisc.length > 0) {
      const runs: Run[] = [];
      // As many as surely fit (a data segment's slots each); the loop goes on while the queue runs.
      this.qdisc.pop(Math.min(this.qdisc.length, Math.max(1, this.acceptable(this.cfg.slotsPerSegment))), runs);
      for (const r of runs) {
        const n = this.startXmit(r.flow, r.seq, r.count, taken, r.ack);
        got += n;
        // netif_be_start_xmit drops a packet that finds the ring full (it cannot requeue it).
        if (n < r.count) this.qdiscDrops += r.count - n;
      }
    }
    return got;
  }

  /**
   * netif_be_start_xmit for up to `count` packets; stops the queue when the ring runs short. A ring already
   * full on entry takes the function's `goto drop` before its stop logic: the packet is dropped and the queue
   * left running ("Packets will be immediately be dropped until more receive buffers become available"), so
   * a queue the 500 ms timer woke drains its qdisc into drops instead of stopping again.
   */
  private startXmit(flow: number, seq: number, count: number, taken: Run[], ack?: Run['ack']): number {
    const slots = this.slotsOf(ack);
    const n = Math.min(count, this.acceptable(slots));
    if (n === 0) return 0;
    if (ack === undefined) taken.push({ flow, seq, count: n });
    else taken.push({ flow, seq, count: n, ack: n < count ? splitAck(ack, n) : ack });
    this.peek += n * slots;
    this.queued += n;
    if (this.full()) this.stop();
    return n;
  }

  private stop(): void {
    // Ask for a notification once `needed` more slots are posted, then stop (netif_be_start_xmit).
    this.ring.reqEvent = this.peek + this.cfg.neededSlots;
    if (this.stopped) return;
    this.stopped = true;
    this.stops++;
    this.machine.send({ type: 'STOP' });
    if (this.cfg.stopTimeoutNs > 0) {
      this.timeout = this.sim.call(this.machine.id, this.cfg.stopTimeoutNs, this, 'stopTimeout');
    }
  }

  /** tx_queue_timeout (timer): wake a queue an inactive frontend left stopped. */
  stopTimeout(): void {
    this.timeout = null;
    if (!this.stopped) return;
    this.timeoutWakes++;
    this.setOpen();
    this.onTimeoutWake();
  }

  private setOpen(): void {
    this.stopped = false;
    this.machine.send({ type: 'WAKE' });
    if (this.timeout) {
      this.sim.cancel(this.timeout);
      this.timeout = null;
    }
  }

  /** netif_wake_queue if stopped and no longer full (netif_be_int, net_rx_action): true if woken (the qdisc must run). */
  maybeWake(): boolean {
    if (!this.stopped || this.full()) return false;
    this.setOpen();
    return true;
  }

  /** net_rx_action copied `packets` packets of this vif into `slots` request slots. */
  consumed(packets: number, slots: number): void {
    // Slots used past what the frontend posted: packets a real frontend would lose (its RX ring overrun).
    // netbk_queue_full keeps this at 0; counting it keeps "the frontend ring never drops" a measurement.
    const over = Math.min(slots, this.reqCons + slots - this.ring.reqProd);
    if (over > 0) this.frontendOverruns += Math.ceil((over * packets) / slots);
    this.reqCons += slots;
    this.rspProdPvt += slots;
    this.queued -= packets;
  }

  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY: publish responses; true if the frontend asked to be notified. */
  pushResponses(): boolean {
    const old = this.ring.rspProd;
    this.ring.rspProd = this.rspProdPvt;
    return this.ring.rspEvent > old && this.ring.rspEvent <= this.rspProdPvt;
  }
}
