// The DomU side of the receive path for one or more guests: per guest a vif
// (shared RX ring, netback's qdisc and slot accounting, netfront's posted
// buffers) wired to Dom0's netback (dom0Netback.ts), and on the guest's VCPU0
// the event-channel upcall, the NAPI poll (netif_poll: weight 64 per call,
// netdev_budget 300 per net_rx_action; TCP receive in the softirq), the ACKs'
// transmit through netfront TX, and the iperf readers above them.
import type { Sim } from '../kernel/sim.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import { SOFTIRQ, softirqSource, type WorkContext, type WorkPart } from '../xen/work.ts';
import { NetRxAction, type NapiDevice } from './netRxAction.ts';
import { AckQueue } from './ackQueue.ts';
import { cacheFactor, type CostModel } from './costs.ts';
import { Dom0Netback } from './dom0Netback.ts';
import { NetbackVif, type NetbackConfig } from './netback.ts';
import { NetfrontRx, type NetfrontConfig } from './netfront.ts';
import type { Run } from './packetQueue.ts';
import type { AckOut, ReceiverStack } from './receiverStack.ts';
import { RxSharedRing } from './vifRing.ts';

export interface GuestWiring {
  sim: Sim;
  host: XenHost;
  dom0V: VcpuRt[];
  /** Per guest: the Dom0 VCPU its vif's event channel is bound to. */
  vifEvtchnV: VcpuRt[];
  /** VCPU0 of each guest, in guest order (netfront's event channel). */
  guestV: VcpuRt[];
  costs: CostModel;
  bridgeCycles: number;
  bridgeName: string;
  netbackCfg: NetbackConfig;
  netfrontCfg: NetfrontConfig;
  /** netdev_budget of the guest's and Dom0's net_rx_action. */
  netdevBudget: number;
  netdevMaxBacklog: number;
  /** Each Dom0 VCPU's NET_RX softirq. */
  dom0NetRx(v: VcpuRt): NetRxAction;
  backlogWeight: number;
  stack: ReceiverStack;
  guestOf(flow: number): number;
  actorIdOf(kind: 'netback' | 'netfront', guest: number): number;
  sendToWire(acks: AckOut[]): void;
  /** The guest's reader threads may have data now. */
  readersWake(guest: number): void;
}

export interface Guests {
  netbacks: NetbackVif[];
  netfronts: NetfrontRx[];
  dom0: Dom0Netback;
  /** Where a guest's ACKs queue for its CPU. */
  ackQueues: AckQueue[];
  /** Dom0: a NIC poll's packets, bridged on VCPU `v`, go to their vifs. */
  xmit(runs: readonly Run[], v: VcpuRt): void;
  /** Per guest: posted receive buffers sampled at every netback pass (sum, count, minimum). */
  postedSamples: { sum: number; count: number; min: number }[];
  /** Per guest: netif_int pending on its VCPU. */
  irqPending: boolean[];
}

export function wireGuests(w: GuestWiring): Guests {
  const { sim, host, costs: c } = w;
  const rings = w.guestV.map(() => new RxSharedRing(w.netbackCfg.ringSlots));
  let dom0!: Dom0Netback;
  const netbacks = w.guestV.map((_, g) => new NetbackVif(w.actorIdOf('netback', g), sim, w.netbackCfg, rings[g]!, () => dom0.timeoutWake(g)));
  const irqPending = w.guestV.map(() => false);
  const netfronts = w.guestV.map((v, g) => new NetfrontRx(w.actorIdOf('netfront', g), sim, w.netfrontCfg, rings[g]!, () => {
    // netif_int is pending on the guest's VCPU (the notify itself wakes it).
    irqPending[g] = true;
  }));
  dom0 = new Dom0Netback({
    sim, host, costs: c, dom0V: w.dom0V, vifEvtchnV: w.vifEvtchnV, guestV: w.guestV, netbacks, fronts: netfronts,
    bridgeCycles: w.bridgeCycles, bridgeName: w.bridgeName, netdevMaxBacklog: w.netdevMaxBacklog,
    vifOf: w.guestOf, sendToWire: w.sendToWire, netRxOf: w.dom0NetRx, backlogWeight: w.backlogWeight,
  });
  const postedSamples = w.guestV.map(() => ({ sum: 0, count: 0, min: Number.MAX_SAFE_INTEGER }));

  const ackQueues = w.guestV.map((v, g) => {
    const nf = netfronts[g]!;
    nf.connect();
    // netif_int: the upcall schedules the NAPI poll.
    v.guest.addSource(
      softirqSource(
        'netif_int',
        SOFTIRQ.HARDIRQ,
        () => irqPending[g]!,
        () => {
          irqPending[g] = false;
          return { parts: [{ component: 'evtchn', cycles: c.eventChannelCycles, packets: 0 }], data: null };
        },
        () => {},
      ),
    );
    // The ACKs out through netfront TX (dev_queue_xmit → network_start_xmit), then netback.
    const q = new AckQueue('netfront-tx', (p): WorkPart[] => [
      { component: 'stack_tx', cycles: p * c.stackTxCyclesPerPacket, packets: p },
      { component: 'netfront_tx', cycles: p * c.netfrontTxCyclesPerPacket, packets: p },
    ], (acks) => dom0.guestTx(g, acks, v));
    v.guest.addSource(q);
    // The guest's NET_RX softirq; netfront is the device on its poll list (several vifs of one guest would share it).
    const netRx = new NetRxAction(w.netdevBudget);
    netRx.add(netfrontDevice(g, v, q));
    v.guest.addSource(netRx);
    return q;
  });

  /** netif_poll: up to the quota of responses, TCP receive of each, then the refill. */
  function netfrontDevice(g: number, v: VcpuRt, acks: AckQueue): NapiDevice<{ runs: Run[]; k: number; slots: number; quota: number }> {
    const nf = netfronts[g]!;
    return {
      name: 'netfront',
      weight: w.netfrontCfg.napiWeight,
      scheduled: () => nf.napiScheduled,
      poll: (quota: number, ctx: WorkContext) => {
        const runs: Run[] = [];
        const k = nf.take(quota, runs);
        const slots = nf.slotsOf(runs);
        const f = cacheFactor(c, host.topology.distance(nf.producerPcpu, ctx.pcpu));
        return {
          packets: k,
          parts: [
            // Per response: its grant ended, its page taken, a buffer posted in its place (per slot for a jumbo frame).
            { component: 'netfront_rx', cycles: slots * c.netfrontRxCyclesPerPacket, packets: k },
            { component: 'stack_rx', cycles: k * c.stackRxCyclesPerPacket * f, packets: k },
          ],
          data: { runs, k, slots, quota },
        };
      },
      complete: ({ runs, k, slots, quota }, d) => {
        if (k > 0) {
          acks.add(w.stack.deliver(runs, d.nowNs));
          w.readersWake(g);
        }
        const notify = nf.pollDone(slots, k === quota);
        if (notify) dom0.guestNotify(g, v);
        return nf.napiScheduled;
      },
    };
  }

  return {
    netbacks,
    netfronts,
    dom0,
    ackQueues,
    postedSamples,
    irqPending,
    xmit: (runs, v) => {
      for (let g = 0; g < netfronts.length; g++) {
        const s = postedSamples[g]!;
        const p = netbacks[g]!.postedFree;
        s.sum += p;
        s.count++;
        if (p < s.min) s.min = p;
      }
      dom0.fromBridge(runs, v);
    },
  };
}
