// netfront's receive side (drivers/xen/netfront/netfront.c): responses in the
// shared ring, the guest's NAPI poll (weight 64) run on the guest VCPU after
// netif_int, and the refill of request slots afterwards.
import { createNetfrontMachine } from '../../actors/netfront.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import { PacketQueue, type Run } from './packetQueue.ts';

export class Netfront {
  /** Responses netback has pushed and the guest has not polled yet. */
  readonly responses: PacketQueue;
  /** PCPU of the last grant copy into this guest's buffers (cache locality). */
  producerPcpu = 0;
  overflowDrops = 0;
  napiScheduled = false;
  readonly machine: XStateActor<ReturnType<typeof createNetfrontMachine>>;

  constructor(actorId: number, sim: Sim, ringSlots: number, private readonly kickGuest: () => void) {
    this.responses = new PacketQueue(ringSlots);
    this.machine = new XStateActor(actorId, sim, createNetfrontMachine({
      schedulePoll: () => {
        this.napiScheduled = true;
        this.kickGuest();
      },
    }));
  }

  /** Responses pushed by net_rx_action; notify once per pass unless the guest is already polling. */
  push(runs: readonly Run[], producerPcpu: number): void {
    for (const r of runs) {
      const ok = this.responses.push(r.flow, r.seq, r.count);
      this.overflowDrops += r.count - ok;
    }
    this.producerPcpu = producerPcpu;
    if (this.machine.actor.getSnapshot().value === 'armed') this.machine.send({ type: 'NOTIFY' });
  }

  /** After a poll: complete NAPI if nothing is left (RING_FINAL_CHECK_FOR_RESPONSES). */
  pollDone(): void {
    const more = this.responses.length > 0;
    if (!more) this.napiScheduled = false;
    this.machine.send({ type: 'POLL_DONE', more });
  }
}
