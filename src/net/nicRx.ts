// The SUT NIC's receive side: a descriptor ring (drop when full), an
// interrupt throttle, and the NAPI poll that runs as softirq work on the CPU
// the interrupt is bound to. The poll is 2.6.18's net_rx_action: the device's
// poll takes up to its weight (quota) per call and is called again while the
// softirq's netdev_budget lasts and the ring holds packets; then the handler
// ends (softnet_break re-raises NET_RX for the next __do_softirq pass).
import { createNicRingMachine } from '../../actors/nicRing.ts';
import type { Actor, Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import type { FramesMsg } from './link.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import { SOFTIRQ, softirqSource, type WorkContext, type WorkPart, type WorkSource } from '../xen/work.ts';
import type { NapiDevice, NapiPoll } from './netRxAction.ts';

export interface NicRxConfig {
  ringSlots: number;
  /** Interrupt delay after the first frame that finds the interrupt armed (ixgb RDTR; ns). */
  irqDelayNs: number;
  /** Interrupt throttle: minimum time between two interrupts (ITR-style NICs; ns, 0 = none). */
  irqMinIntervalNs: number;
  /** NAPI dev->weight (ixgb: 64). */
  weightPackets: number;
  /**
   * Transmit-done interrupt delay (ixgb TIDV, armed by a transmit; ns; 0 = no TX interrupt): the
   * interrupt schedules the same NAPI poll, which cleans the RX ring too.
   */
  txIrqDelayNs: number;
}

export class NicRx implements Actor {
  readonly ring: PacketQueue;
  drops = 0;
  received = 0;
  private napiScheduled = false;
  private lastIrqNs = -Infinity;
  readonly machine: XStateActor<ReturnType<typeof createNicRingMachine>>;

  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly cfg: NicRxConfig,
    /** Deliver the interrupt to the bound CPU (event channel / IRQ). */
    private readonly raiseIrq: () => void,
  ) {
    this.ring = new PacketQueue(cfg.ringSlots);
    this.machine = new XStateActor(id, sim, createNicRingMachine({
      holdMs: () => Math.max(cfg.irqDelayNs, this.lastIrqNs + cfg.irqMinIntervalNs - sim.nowNs) / 1e6,
      fireIrq: () => {
        this.lastIrqNs = sim.nowNs;
        this.napiScheduled = true;
        this.irqPending = true;
        this.raiseIrq();
      },
    }));
  }

  /** The interrupt's handler has yet to run on the bound CPU. */
  private irqPending = false;

  /**
   * The interrupt's handler on the CPU it is bound to (ixgb_intr: mask, netif_rx_schedule), a hard IRQ
   * costing `cycles`: in Xen, Dom0 takes a physical IRQ as an event-channel upcall like any other.
   */
  irqHandler(cycles: number): WorkSource<null> {
    return softirqSource('nic_irq', SOFTIRQ.HARDIRQ, () => this.irqPending, () => {
      this.irqPending = false;
      return { parts: [{ component: 'evtchn', cycles, packets: 0 }], data: null };
    }, () => {});
  }

  /** TXDW's delay is running (armed by the first transmit after the last one fired). */
  private txIrqArmed = false;

  /**
   * The driver handed frames to the NIC (ixgb_xmit_frame, IDE set): the TX descriptors' write-back
   * interrupt follows TIDV later. Taken as an absolute delay from the first transmit, like RDTR.
   */
  transmitted(): void {
    if (this.cfg.txIrqDelayNs <= 0 || this.txIrqArmed) return;
    this.txIrqArmed = true;
    this.sim.call(this.id, this.cfg.txIrqDelayNs, this, 'txIrqFire');
  }

  /** TXDW (timer): interrupts now unless NAPI already polls (the poll cleans the TX ring itself). */
  txIrqFire(): void {
    const heldNs = this.lastIrqNs + this.cfg.irqMinIntervalNs - this.sim.nowNs;
    if (heldNs > 0) {
      // An interrupt throttle holds every cause back, this one too.
      this.sim.call(this.id, heldNs, this, 'txIrqFire');
      return;
    }
    this.txIrqArmed = false;
    const state = this.machine.value;
    if (state === 'armed' || state === 'coalescing') this.machine.send({ type: 'TXDW' });
  }

  receive(msg: unknown): void {
    const m = msg as FramesMsg;
    const ok = this.ring.push(m.flow, m.seq, m.count);
    this.received += ok;
    this.drops += m.count - ok;
    if (ok > 0 && this.machine.value === 'armed') this.machine.send({ type: 'RX' });
  }

  /**
   * The driver's NAPI poll (ixgb_clean) as a device on its CPU's NET_RX poll
   * list: takes up to the quota, charges `costOf` for them, hands them to
   * `deliver` when the cycles are spent; completes (re-enables the interrupt)
   * when the ring is empty.
   */
  device(costOf: (packets: number, ctx: WorkContext) => WorkPart[], deliver: (runs: Run[], ctx: WorkContext) => void): NapiDevice<Run[]> {
    return {
      name: 'nic',
      weight: this.cfg.weightPackets,
      scheduled: () => this.napiScheduled,
      poll: (max, ctx): NapiPoll<Run[]> => {
        const runs: Run[] = [];
        const n = this.ring.pop(max, runs);
        return { packets: n, parts: costOf(n, ctx), data: runs };
      },
      complete: (runs, c) => {
        if (runs.length > 0) deliver(runs, c);
        if (this.ring.length > 0) return true;
        // netif_rx_complete: re-enable the interrupt.
        this.napiScheduled = false;
        this.machine.send({ type: 'POLL_DONE', ringEmpty: true });
        return false;
      },
    };
  }
}
