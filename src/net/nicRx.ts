// The SUT NIC's receive side: a descriptor ring (drop when full), an
// interrupt throttle, and the NAPI poll that runs as softirq work on the CPU
// the interrupt is bound to (Dom0 VCPU0 under Xen, CPU0 natively).
import { createNicRingMachine } from '../../actors/nicRing.ts';
import type { Actor, Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import type { FramesMsg } from './link.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import type { WorkContext, WorkItem, WorkPart, WorkSource } from '../xen/work.ts';

export interface NicRxConfig {
  ringSlots: number;
  /** Interrupt throttle: minimum time between two interrupts (ns). */
  irqMinIntervalNs: number;
  /** Packets one softirq round may take (netdev_budget). */
  budgetPackets: number;
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
      holdMs: () => Math.max(0, this.lastIrqNs + cfg.irqMinIntervalNs - sim.nowNs) / 1e6,
      fireIrq: () => {
        this.lastIrqNs = sim.nowNs;
        this.napiScheduled = true;
        this.raiseIrq();
      },
    }));
  }

  receive(msg: unknown): void {
    const m = msg as FramesMsg;
    const ok = this.ring.push(m.flow, m.seq, m.count);
    this.received += ok;
    this.drops += m.count - ok;
    if (ok > 0 && this.machine.actor.getSnapshot().value === 'armed') this.machine.send({ type: 'RX' });
  }

  /**
   * The NAPI poll as a work source: takes up to the budget, charges `costOf`
   * for them, hands them to `deliver` when the cycles are spent.
   */
  pollSource(costOf: (packets: number, ctx: WorkContext) => WorkPart[], deliver: (runs: Run[], ctx: WorkContext) => void): WorkSource {
    return {
      name: 'nic-napi',
      workClass: 'softirq',
      pending: () => this.napiScheduled,
      take: (ctx): WorkItem => {
        const runs: Run[] = [];
        const n = this.ring.pop(this.cfg.budgetPackets, runs);
        return {
          parts: costOf(n, ctx),
          done: (c) => {
            if (n > 0) deliver(runs, c);
            if (this.ring.length === 0) {
              this.napiScheduled = false;
              this.machine.send({ type: 'POLL_DONE', ringEmpty: true });
            }
          },
        };
      },
    };
  }
}
