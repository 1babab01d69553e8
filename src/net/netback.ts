// netback's receive side (drivers/xen/netback/netback.c): the vif's qdisc of
// txqueuelen packets (drop-tail), the single global rx_queue, the shared RX
// ring's request slots, and net_rx_action's batched grant copy into the
// frontend ring with one notification per pass.
import { createNetbackMachine } from '../../actors/netback.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import { PacketQueue, type Run } from './packetQueue.ts';

export interface NetbackConfig {
  txqueuelen: number;
  ringSlots: number;
  /** net_rx_action stops when count + MAX_SKB_FRAGS + 2 >= ring size: ~238 slots per pass. */
  maxSlotsPerPass: number;
  /** netbk_max_required_rx_slots: MAX_SKB_FRAGS + 2 = 20 with SG/TSO advertised by netfront. */
  neededSlots: number;
}

export class Netback {
  readonly qdisc: PacketQueue;
  readonly rxQueue: PacketQueue;
  /** Request slots netfront has posted and netback has not consumed. */
  reqPosted: number;
  qdiscDrops = 0;
  stops = 0;
  readonly machine: XStateActor<ReturnType<typeof createNetbackMachine>>;

  constructor(actorId: number, sim: Sim, readonly cfg: NetbackConfig) {
    this.qdisc = new PacketQueue(cfg.txqueuelen);
    this.rxQueue = new PacketQueue(1 << 30);
    this.reqPosted = cfg.ringSlots;
    this.machine = new XStateActor(actorId, sim, createNetbackMachine());
  }

  /** netif_queue_stopped (mirrored into the XState actor on every change). */
  stopped = false;

  /** netbk_queue_full: fewer than `needed` unreserved request slots. */
  full(): boolean {
    return this.reqPosted - this.rxQueue.length < this.cfg.neededSlots;
  }

  /** dev_queue_xmit(vif): through the qdisc into netif_be_start_xmit while the queue runs. */
  xmit(runs: readonly Run[]): void {
    this.qdiscRun();
    for (const r of runs) {
      let seq = r.seq;
      let left = r.count;
      if (!this.stopped && this.qdisc.length === 0) {
        const n = Math.min(left, this.acceptable());
        this.rxQueue.push(r.flow, seq, n);
        seq += n;
        left -= n;
        if (this.full()) this.stop();
      }
      if (left > 0) {
        const q = this.qdisc.push(r.flow, seq, left);
        this.qdiscDrops += left - q;
      }
    }
  }

  /** Packets netif_be_start_xmit would take now before netbk_queue_full stops the queue. */
  private acceptable(): number {
    return Math.max(0, this.reqPosted - this.rxQueue.length - this.cfg.neededSlots + 1);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stops++;
    this.machine.send({ type: 'STOP' });
  }

  /** qdisc_run while the queue runs: move waiting packets into netback while it has room. */
  private qdiscRun(): void {
    if (this.stopped || this.qdisc.length === 0) return;
    const runs: Run[] = [];
    this.qdisc.pop(Math.min(this.qdisc.length, this.acceptable()), runs);
    for (const r of runs) this.rxQueue.push(r.flow, r.seq, r.count);
    if (this.full()) this.stop();
  }

  /** netif_wake_queue if it is stopped and no longer full (net_rx_action end, netif_be_int). */
  maybeWake(): void {
    if (!this.stopped || this.full()) return;
    this.stopped = false;
    this.machine.send({ type: 'WAKE' });
    this.qdiscRun();
  }

  /** net_rx_action: take one pass worth of packets (grant copy); they consume request slots. */
  takePass(out: Run[], maxSlots = this.cfg.maxSlotsPerPass): number {
    const n = this.rxQueue.pop(Math.min(maxSlots, this.reqPosted), out);
    this.reqPosted -= n;
    return n;
  }

  /** netfront re-posted `n` buffers. */
  refill(n: number): void {
    this.reqPosted = Math.min(this.cfg.ringSlots, this.reqPosted + n);
  }
}
