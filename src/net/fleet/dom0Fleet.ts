// Dom0 of a fleet host (drivers/xen/netback/netback.c, Xen 3.1, and 2.6.18's
// bridge): packets in both directions. The receive half is the paper's path
// (netbackSoftirqs.ts serves both): the NIC's NAPI poll bridges frames to
// their vif, netback's global rx_queue and net_rx_tasklet grant-copy them
// into the guest. The transmit half starts at the guest's TX ring:
// netif_be_int (on the vif's event-channel VCPU) puts the vif on
// net_schedule_list and schedules net_tx_tasklet there; net_tx_action takes
// requests round-robin over the scheduled vifs while fewer than
// MAX_PENDING_REQS are pending, copies each packet out of the guest and
// netif_rx()s it into that CPU's backlog (netdev_max_backlog);
// process_backlog bridges it — to another vif on this host (guest to guest:
// it never reaches the NIC) or to peth0. A request stays pending, its TX ring
// slot unanswered, until Dom0 is done with the packet (net_tx_action_dealloc
// after the skb is freed; here: once the bridge has handed it on, or dropped
// it), so a busy Dom0 holds the guests back.
import type { Sim } from '../../kernel/sim.ts';
import type { VcpuRt, XenHost } from '../../xen/host.ts';
import type { WorkPart, WorkSource } from '../../xen/work.ts';
import type { CostModel } from '../costs.ts';
import type { NetbackConfig } from '../netback.ts';
import { NetbackSoftirqs, type NetbackCpu } from '../netbackSoftirqs.ts';
import type { NapiDevice, NapiPoll } from '../netRxAction.ts';
import { NetRxAction } from '../netRxAction.ts';
import { PacketQueue, type Run } from '../packetQueue.ts';
import { runDestGuest, runDestHost, type FleetConfig } from './config.ts';
import type { FleetGuest } from './guestNet.ts';
import type { FleetNic } from './fleetNic.ts';
import type { WireLink } from './wire.ts';

export interface Dom0FleetWiring {
  sim: Sim;
  host: XenHost;
  fleet: FleetConfig;
  hostIndex: number;
  costs: CostModel;
  dom0V: VcpuRt[];
  nicV: VcpuRt;
  /** Per guest: the Dom0 VCPU its vif's event channel is bound to. */
  vifEvtchnV: VcpuRt[];
  guests: FleetGuest[];
  nic: FleetNic;
  link: WireLink;
  bridgeCycles: number;
  bridgeName: string;
  netdevBudget: number;
  netdevMaxBacklog: number;
  /** weight_p: the backlog device's quota. */
  backlogWeight: number;
  /** MAX_PENDING_REQS: netback's pending slots for TX requests taken and not yet answered (all vifs). */
  maxPendingReqs: number;
  /** MAX_SKB_FRAGS: net_tx_action takes requests while NR_PENDING_REQS + MAX_SKB_FRAGS < MAX_PENDING_REQS. */
  maxSkbFrags: number;
  /** The netback config of every vif of this host. */
  vifConfig: NetbackConfig;
}

/**
 * maybe_schedule_tx_action's test (netback.c): net_tx_tasklet is scheduled only while fewer than
 * MAX_PENDING_REQS/2 requests are pending — from netif_be_int, and from netif_schedule_work for each
 * request net_tx_action takes, so a pass that began below half reschedules itself even if it ends full.
 */
export function maybeScheduleTxAction(pendingReqs: number, maxPendingReqs: number): boolean {
  return pendingReqs < maxPendingReqs / 2;
}

interface CpuNet extends NetbackCpu {
  /** netif_rx'd packets from the guests waiting for process_backlog. */
  backlog: PacketQueue;
}

export class FleetDom0 {
  private readonly netback: NetbackSoftirqs<CpuNet>;
  backlogDrops = 0;
  /** TX requests taken and not yet answered (pending_reqs), over all vifs. */
  pendingReqs = 0;
  txPasses = 0;
  /** Most requests pending at once: net_tx_action stops taking at MAX_PENDING_REQS − MAX_SKB_FRAGS. */
  private readonly pendingLimit: number;
  /** Requests pending when the current net_tx_action pass began. */
  private pendingAtPassStart = 0;
  /** Packets bridged from one guest to another on this host, and to peth0. */
  localPackets = 0;
  wirePackets = 0;

  constructor(private readonly w: Dom0FleetWiring) {
    this.pendingLimit = w.maxPendingReqs - w.maxSkbFrags;
    const cpus: CpuNet[] = w.dom0V.map((v) => ({ v, qdiscRuns: [], irqs: [], backlog: new PacketQueue(w.netdevMaxBacklog), copies: 0 }));
    this.netback = new NetbackSoftirqs(cpus, {
      host: w.host,
      costs: w.costs,
      vifEvtchnV: w.vifEvtchnV,
      vifConfig: w.vifConfig,
      vif: (g) => w.guests[g]!.vif,
      front: (g) => w.guests[g]!.front,
      guestV: (g) => w.guests[g]!.vcpus[0]!,
      // A run's vif is its destination's: the receiver's for data, the sender's for ACKs.
      vifOf: (r) => runDestGuest(w.fleet.flows, r.flow, r.ack !== undefined),
      hasTxRequests: (g) => w.guests[g]!.tx.ring.length > 0,
      armTx: (g) => {
        w.guests[g]!.tx.netbackArmed = true;
      },
      fewPendingReqs: () => maybeScheduleTxAction(this.pendingReqs, w.maxPendingReqs),
    });
    for (const c of cpus) this.addSources(c);
  }

  /** The guest notified its vif's event channel (TX requests, or RX buffers across req_event). */
  guestNotify(g: number, from: VcpuRt): void {
    this.netback.guestNotify(g, from);
  }

  /** netback's queue timer woke vif g: its qdisc runs on the vif's event-channel CPU. */
  timeoutWake(g: number): void {
    this.netback.timeoutWake(g);
  }

  /** br_forward: packets for a vif of this host go to its netback queue, the rest to peth0. */
  private forward(runs: readonly Run[], c: CpuNet): void {
    const { fleet, hostIndex, guests } = this.w;
    const taken: Run[] = [];
    const wire: Run[] = [];
    for (const r of runs) {
      const isAck = r.ack !== undefined;
      if (runDestHost(fleet.flows, r.flow, isAck) === hostIndex) {
        guests[runDestGuest(fleet.flows, r.flow, isAck)]!.vif.xmit(r, taken);
      } else wire.push(r);
    }
    if (wire.length > 0) {
      this.w.link.send(wire);
      this.w.nic.transmitted();
    }
    this.netback.toRxQueue(taken, c);
  }

  /** The guest of this host that sent a run: the data's sender, or the receiver whose ACKs these are. */
  private originGuest(r: Run): number {
    return runDestGuest(this.w.fleet.flows, r.flow, r.ack === undefined);
  }

  /**
   * Dom0 is done with `n` packets from guest g: their requests are answered
   * (make_tx_response) — the guest hears of it when that crosses its
   * rsp_event — and net_tx_action may take more. Xen answers in the next
   * net_tx_action's net_tx_action_dealloc, after the skb is freed; here at
   * once (docs/scale.md, simplifications).
   */
  private release(g: number, n: number, c: CpuNet): void {
    this.pendingReqs -= n;
    const guest = this.w.guests[g]!;
    if (guest.tx.responded(n)) {
      guest.irq.pending = true;
      this.w.host.notify(guest.vcpus[0]!.id, c.v.id);
    }
    this.netback.scheduleTxAction(c);
  }

  private isLocal(r: Run): boolean {
    return runDestHost(this.w.fleet.flows, r.flow, r.ack !== undefined) === this.w.hostIndex;
  }

  private addSources(c: CpuNet): void {
    const { w } = this;
    const cost = w.costs;
    this.netback.addSources(c);
    // NET_RX: the NIC's poll on its IRQ's VCPU, and every CPU's backlog.
    const netRx = new NetRxAction(w.netdevBudget);
    if (c.v === w.nicV) {
      netRx.add(w.nic.device(
        (n) => [
          { component: 'nic_rx', cycles: n * cost.nicRxCyclesPerPacket, packets: n },
          { component: w.bridgeName, cycles: n * w.bridgeCycles, packets: n },
        ],
        (runs) => this.forward(runs, c),
      ));
    }
    netRx.add(this.backlogDevice(c));
    c.v.guest.addSource(netRx);
    c.v.guest.addSource(this.netback.rxActionSource(c));
    c.v.guest.addSource(this.txActionSource(c));
  }

  /** process_backlog: the guests' packets bridged, a quota at a time; those for the wire pay the NIC's transmit. */
  private backlogDevice(c: CpuNet): NapiDevice<Run[]> {
    const { w } = this;
    return {
      name: 'backlog',
      weight: w.backlogWeight,
      scheduled: () => c.backlog.length > 0,
      poll: (max): NapiPoll<Run[]> => {
        const runs: Run[] = [];
        const p = c.backlog.pop(max, runs);
        let local = 0;
        for (const r of runs) if (this.isLocal(r)) local += r.count;
        this.localPackets += local;
        this.wirePackets += p - local;
        const parts: WorkPart[] = [
          { component: w.bridgeName, cycles: p * w.bridgeCycles, packets: p },
          { component: 'nic_tx', cycles: (p - local) * w.costs.nicTxCyclesPerPacket, packets: p - local },
        ];
        return { packets: p, parts, data: runs };
      },
      complete: (runs) => {
        this.forward(runs, c);
        for (const r of runs) this.release(this.originGuest(r), r.count, c);
        return c.backlog.length > 0;
      },
    };
  }

  /** net_tx_action on CPU c: requests round-robin over the scheduled vifs, copied out, netif_rx'd here. */
  private txActionSource(c: CpuNet): WorkSource<{ vifs: number[]; taken: [number, Run[]][] }> {
    const { w } = this;
    const cost = w.costs;
    return this.netback.txActionSource(
      c,
      (vifs, ctx) => {
        this.txPasses++;
        this.pendingAtPassStart = this.pendingReqs;
        // poll_net_schedule_list: one request from the head vif, which goes back to the tail while it has more,
        // until MAX_PENDING_REQS are pending: counted out here, then taken in one go per vif.
        const want = vifs.map((g) => w.guests[g]!.tx.ring.length);
        const alloc = vifs.map(() => 0);
        let left = this.pendingLimit - this.pendingReqs;
        let last = -1;
        for (let more = true; more && left > 0; ) {
          more = false;
          for (let i = 0; i < vifs.length && left > 0; i++) {
            if (alloc[i]! >= want[i]!) continue;
            alloc[i]!++;
            left--;
            last = i;
            if (alloc[i]! < want[i]!) more = true;
          }
        }
        // The list goes on after the last vif served: its successor is the next head.
        const order = vifs.map((_, k) => (last + 1 + k) % vifs.length);
        const taken: [number, Run[]][] = order.map((i) => {
          const list: Run[] = [];
          if (alloc[i]! > 0) w.guests[vifs[i]!]!.tx.take(alloc[i]!, list);
          return [vifs[i]!, list];
        });
        // net_tx_action treats every request alike: it grant-maps the guest's page and copies PKT_PROT_LEN
        // (64) bytes of it into the skb head; the payload stays in the mapped page. So a data packet costs
        // what an ACK does (a pure ACK is 66 bytes: past PKT_PROT_LEN, it takes the same path).
        let packets = 0;
        for (const [, list] of taken) for (const r of list) packets += r.count;
        return { parts: [{ component: 'netback_tx', cycles: packets * cost.netbackTxCyclesPerPacket, packets }], data: { vifs, taken } };
      },
      ({ taken }) => {
        for (const [g, list] of taken) {
          for (const r of list) {
            this.pendingReqs += r.count;
            // netif_rx: the CPU's input queue holds netdev_max_backlog packets; a dropped one is freed at once.
            const count = r.count;
            const ok = c.backlog.push(r.flow, r.seq, r.count, r.ack);
            this.backlogDrops += count - ok;
            if (ok < count) this.release(g, count - ok, c);
          }
          // Right after the vif's packets, before the next vif's: their releases see it back on net_schedule_list.
          this.netback.finalCheckTx(g);
        }
        if (c.backlog.length > 0) w.host.notify(c.v.id, null);
      },
      // Each request taken calls netif_schedule_work → maybe_schedule_tx_action, which reschedules the
      // tasklet for a vif with more to send only below MAX_PENDING_REQS/2 pending; a pass that began at or
      // above it leaves the next run to a release (netif_idx_release schedules it).
      () => maybeScheduleTxAction(this.pendingAtPassStart, w.maxPendingReqs),
    );
  }
}

