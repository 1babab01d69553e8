// The DomU side of the receive path for one or more guests: per guest a vif
// (netback qdisc + shared-ring request slots) and a netfront with its NAPI
// poll on the guest's VCPU0; in Dom0, netback's single RX tasklet serves every
// vif in turn (net_rx_action: ≤ 238 slots a pass, one notify per vif per
// pass), and netback TX takes the guests' ACKs back to the bridge.
import type { Sim } from '../kernel/sim.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import type { WorkContext, WorkItem, WorkPart } from '../xen/work.ts';
import { AckQueue } from './ackQueue.ts';
import { cacheFactor, scaled, type CostModel } from './costs.ts';
import { Netback, type NetbackConfig } from './netback.ts';
import { Netfront } from './netfront.ts';
import type { Run } from './packetQueue.ts';
import type { AckOut, ReceiverStack } from './receiverStack.ts';

export interface GuestWiring {
  sim: Sim;
  host: XenHost;
  irqV: VcpuRt;
  /** VCPU0 of each guest, in guest order. */
  guestV: VcpuRt[];
  costs: CostModel;
  bridgeCycles: number;
  bridgeName: string;
  netbackCfg: NetbackConfig;
  frontendRingSlots: number;
  napiWeight: number;
  stack: ReceiverStack;
  guestOf(flow: number): number;
  actorIdOf(kind: 'netback' | 'netfront', guest: number): number;
  sendToWire(acks: AckOut[]): void;
  /** The guest's reader threads may have data now. */
  readersWake(guest: number): void;
}

export interface Guests {
  netbacks: Netback[];
  netfronts: Netfront[];
  /** Where a guest's ACKs queue for its CPU. */
  ackQueues: AckQueue[];
  /** Dom0: a NIC poll's packets, bridged, go to their vifs. */
  xmit(runs: readonly Run[]): void;
}

export function wireGuests(w: GuestWiring): Guests {
  const { sim, host, irqV, costs: c } = w;
  const n = w.guestV.length;
  const netbacks = w.guestV.map((_, g) => new Netback(w.actorIdOf('netback', g), sim, w.netbackCfg));
  const netfronts = w.guestV.map((v, g) => new Netfront(w.actorIdOf('netfront', g), sim, w.frontendRingSlots, () => host.notify(v.id, irqV.id)));
  const beKick = new Array<boolean>(n).fill(false);
  let nextVif = 0;

  // Dom0: net_rx_action, one pass over the vifs with queued packets.
  irqV.guest.addSource({
    name: 'netback-rx',
    workClass: 'softirq',
    pending: () => netbacks.some((nb) => nb.rxQueue.length > 0 && nb.reqPosted > 0),
    take: (ctx: WorkContext): WorkItem => {
      const taken: { g: number; runs: Run[] }[] = [];
      let slots = 0;
      for (let k = 0; k < n && slots < w.netbackCfg.maxSlotsPerPass; k++) {
        const g = (nextVif + k) % n;
        const nb = netbacks[g]!;
        if (nb.rxQueue.length === 0 || nb.reqPosted === 0) continue;
        const runs: Run[] = [];
        slots += nb.takePass(runs, w.netbackCfg.maxSlotsPerPass - slots);
        taken.push({ g, runs });
      }
      nextVif = (nextVif + 1) % n;
      return {
        parts: [
          { component: 'io_channel', cycles: slots * scaled(c, c.ioChannelCyclesPerPacket), packets: slots },
          { component: 'evtchn', cycles: taken.length * c.eventChannelCycles, packets: 0 },
        ],
        done: () => {
          for (const t of taken) {
            netfronts[t.g]!.push(t.runs, ctx.pcpu);
            netbacks[t.g]!.maybeWake();
          }
        },
      };
    },
  });

  // Dom0: netif_be_int after a guest's refill crossed req_event → wake that vif's queue.
  irqV.guest.addSource({
    name: 'netback-kick',
    workClass: 'softirq',
    pending: () => beKick.some((x) => x),
    take: (): WorkItem => {
      const kicked = beKick.flatMap((x, g) => (x ? [g] : []));
      return {
        parts: [{ component: 'evtchn', cycles: kicked.length * c.eventChannelCycles, packets: 0 }],
        done: () => {
          for (const g of kicked) {
            beKick[g] = false;
            netbacks[g]!.maybeWake();
          }
        },
      };
    },
  });

  // Dom0: netback TX (the guests' ACKs) → bridge → NIC TX.
  const beTx = new AckQueue('netback-tx', (p): WorkPart[] => [
    { component: 'netback_tx', cycles: p * c.netbackTxCyclesPerPacket, packets: p },
    { component: w.bridgeName, cycles: p * w.bridgeCycles, packets: p },
    { component: 'nic_tx', cycles: p * c.nicTxCyclesPerPacket, packets: p },
  ], (acks) => w.sendToWire(acks));
  irqV.guest.addSource(beTx);

  const ackQueues = w.guestV.map((v, g) => {
    const nb = netbacks[g]!;
    const nf = netfronts[g]!;
    // DomU: ACKs out through netfront TX; netif_be_int on Dom0.
    const q = new AckQueue('netfront-tx', (p): WorkPart[] => [
      { component: 'stack_tx', cycles: p * c.stackTxCyclesPerPacket, packets: p },
      { component: 'netfront_tx', cycles: p * c.netfrontTxCyclesPerPacket, packets: p },
    ], (acks) => {
      beTx.add(acks);
      host.notify(irqV.id, v.id);
    });
    // DomU: netfront NAPI poll, the guest's TCP receive, refill.
    v.guest.addSource({
      name: 'netfront-napi',
      workClass: 'softirq',
      pending: () => nf.napiScheduled,
      take: (ctx: WorkContext): WorkItem => {
        const runs: Run[] = [];
        const k = nf.responses.pop(w.napiWeight, runs);
        const f = cacheFactor(c, host.topology.distance(nf.producerPcpu, ctx.pcpu));
        return {
          parts: [
            { component: 'netfront_rx', cycles: k * c.netfrontRxCyclesPerPacket, packets: k },
            { component: 'stack_rx', cycles: k * c.stackRxCyclesPerPacket * f, packets: k },
          ],
          done: (d) => {
            if (k > 0) {
              q.add(w.stack.deliver(runs, d.nowNs));
              const wasStopped = nb.stopped;
              nb.refill(k);
              if (wasStopped && !nb.full()) {
                beKick[g] = true;
                host.notify(irqV.id, v.id);
              }
              w.readersWake(g);
            }
            nf.pollDone();
          },
        };
      },
    });
    v.guest.addSource(q);
    return q;
  });

  return {
    netbacks,
    netfronts,
    ackQueues,
    xmit: (runs) => {
      if (n === 1) return netbacks[0]!.xmit(runs);
      const per: Run[][] = Array.from({ length: n }, () => []);
      for (const r of runs) per[w.guestOf(r.flow)]!.push(r);
      per.forEach((rs, g) => rs.length > 0 && netbacks[g]!.xmit(rs));
    },
  };
}
