// One fleet DomU's network device and stack, wired onto its VCPUs: the vif's
// shared rings (netback's receive slots, netfront's posted buffers, the TX
// ring), netif_int on VCPU0 (one event channel for both directions: it
// reclaims TX slots and schedules the NAPI poll), netif_poll taking data
// (TCP receive) and ACKs (tcp_ack) in NET_RX, the transmit softirq, and the
// application threads spread over the guest's VCPUs.
import type { Sim } from '../../kernel/sim.ts';
import type { SchedDomain } from '../../xen/sched/policy.ts';
import type { VcpuRt, XenHost } from '../../xen/host.ts';
import { SOFTIRQ, softirqSource, type WorkContext } from '../../xen/work.ts';
import { cacheFactor, type CostModel } from '../costs.ts';
import { NetbackVif, type NetbackConfig } from '../netback.ts';
import { NetfrontRx, type NetfrontConfig } from '../netfront.ts';
import { NetRxAction, type NapiDevice } from '../netRxAction.ts';
import type { Run } from '../packetQueue.ts';
import { RxSharedRing } from '../vifRing.ts';
import type { FleetConfig } from './config.ts';
import { GuestStack, type StackOptions } from './guestStack.ts';
import { AppSource, TxPump } from './guestWork.ts';
import { NetfrontTx } from './netfrontTx.ts';

export interface GuestNetWiring {
  sim: Sim;
  host: XenHost;
  fleet: FleetConfig;
  hostIndex: number;
  guest: number;
  dom: SchedDomain;
  costs: CostModel;
  netback: NetbackConfig;
  netfront: NetfrontConfig;
  netdevBudget: number;
  /** The guest's eth0 txqueuelen and the TX ring's size and reserve (MAX_SKB_FRAGS + 2). */
  txqueuelen: number;
  txRingSlots: number;
  txReserveSlots: number;
  recvBytes: number;
  readChunkBytes: number;
  stack: StackOptions;
  /** Local actor ids: the vif's netback and netfront machines, the TCP timers. */
  actorIds: { netback: number; netfront: number; timers: number };
  /** Dom0's ends of the event channel. */
  dom0: {
    /** netfront pushed TX requests while netback's req_event was armed. */
    txRequests(guest: number, from: VcpuRt): void;
    /** netfront posted receive buffers across netback's req_event. */
    rxBuffers(guest: number, from: VcpuRt): void;
    /** netback's 500 ms queue timer woke the vif. */
    timeoutWake(guest: number): void;
  };
}

export interface FleetGuest {
  index: number;
  name: string;
  vcpus: VcpuRt[];
  ring: RxSharedRing;
  front: NetfrontRx;
  vif: NetbackVif;
  tx: NetfrontTx;
  stack: GuestStack;
  /** netif_int pending on VCPU0. */
  irq: { pending: boolean };
}

export function buildGuestNet(w: GuestNetWiring): FleetGuest {
  const { sim, host, costs: c } = w;
  const vcpus = w.dom.vcpus.map((x) => host.vcpus[x]!);
  const v0 = vcpus[0]!;
  const ring = new RxSharedRing(w.netback.ringSlots);
  const irq = { pending: false };
  const vif = new NetbackVif(w.actorIds.netback, sim, w.netback, ring, () => w.dom0.timeoutWake(w.guest));
  const front = new NetfrontRx(w.actorIds.netfront, sim, w.netfront, ring, () => {
    irq.pending = true;
  });
  const tx = new NetfrontTx(w.txqueuelen, w.txRingSlots, w.txReserveSlots);
  const vcpuOf = (i: number) => vcpus[i % vcpus.length]!;
  const stack = new GuestStack(sim, w.fleet, w.hostIndex, w.guest, w.actorIds.timers, w.stack, (what) => {
    const v = what === 'net' ? v0 : 'appSender' in what ? vcpuOf(what.appSender) : vcpuOf(what.appReceiver);
    host.notify(v.id, null);
  });
  front.connect();

  // netif_int: one upcall per notification; the TX side's gc wakes a stopped queue, the RX side's NAPI was scheduled by netfront's machine.
  v0.guest.addSource(
    softirqSource(
      'netif_int',
      SOFTIRQ.HARDIRQ,
      () => irq.pending,
      () => {
        irq.pending = false;
        return { parts: [{ component: 'evtchn', cycles: c.eventChannelCycles, packets: 0 }], data: null };
      },
      () => {
        if (tx.wake()) w.dom0.txRequests(w.guest, v0);
      },
    ),
  );
  v0.guest.addSource(new TxPump(stack, tx, c, () => w.dom0.txRequests(w.guest, v0)));
  const netRx = new NetRxAction(w.netdevBudget);
  netRx.add(netifPoll());
  v0.guest.addSource(netRx);

  // Application threads: sender s and receiver k run on VCPU s (k) mod VCPUs.
  vcpus.forEach((v, i) => {
    const senders = stack.senders.map((_, s) => s).filter((s) => s % vcpus.length === i);
    const receivers = stack.receivers.map((_, k) => k).filter((k) => k % vcpus.length === i);
    if (senders.length + receivers.length === 0) return;
    const mine = new Uint8Array(stack.senders.length);
    for (const s of senders) mine[s] = 1;
    v.guest.addSource(new AppSource(stack, receivers, senders, mine, {
      recvBytes: w.recvBytes,
      chunkBytes: w.readChunkBytes,
      costs: c,
      factor: (p, q) => cacheFactor(c, host.topology.distance(p, q)),
      producerPcpu: () => front.producerPcpu,
    }));
  });

  /** netif_poll: up to the quota of responses — data to TCP receive, ACKs to tcp_ack — then the refill. */
  function netifPoll(): NapiDevice<{ runs: Run[]; k: number; slots: number; quota: number }> {
    return {
      name: 'netfront',
      weight: w.netfront.napiWeight,
      scheduled: () => front.napiScheduled,
      poll: (quota: number, ctx: WorkContext) => {
        const runs: Run[] = [];
        const k = front.take(quota, runs);
        const slots = front.slotsOf(runs);
        let acks = 0;
        for (const r of runs) if (r.ack) acks += r.count;
        const f = cacheFactor(c, host.topology.distance(front.producerPcpu, ctx.pcpu));
        return {
          packets: k,
          parts: [
            { component: 'netfront_rx', cycles: slots * c.netfrontRxCyclesPerPacket, packets: k },
            { component: 'stack_rx', cycles: (k - acks) * c.stackRxCyclesPerPacket * f, packets: k - acks },
            { component: 'tcp_ack', cycles: acks * c.stackAckRxCyclesPerPacket, packets: acks },
          ],
          data: { runs, k, slots, quota },
        };
      },
      complete: ({ runs, k, slots, quota }) => {
        for (const r of runs) {
          if (r.ack) stack.acksIn(r);
          else stack.dataIn(r);
        }
        if (front.pollDone(slots, k === quota)) w.dom0.rxBuffers(w.guest, v0);
        return front.napiScheduled;
      },
    };
  }

  // The applications start a few µs apart per guest, as threads of separately booted guests would.
  sim.call(w.actorIds.timers, 1000 * (w.guest + 1), stack, 'startApps');
  return { index: w.guest, name: w.dom.name, vcpus, ring, front, vif, tx, stack, irq };
}
