// Dom0's netback (drivers/xen/netback/netback.c, Xen 3.1) across Dom0's VCPUs:
// one global rx_queue and net_rx_tasklet for every vif, one net_tx_tasklet,
// each vif's event channel bound to a Dom0 VCPU, and per-CPU softirq work.
//
// Where each stage runs follows the code, not a fixed VCPU:
// - The bridge hands packets to the vif (dev_queue_xmit → netif_be_start_xmit)
//   on the CPU that polled the NIC; start_xmit schedules net_rx_tasklet on
//   that CPU (tasklet_schedule), or on the CPU that woke the queue
//   (netif_be_int → netif_wake_queue → NET_TX → qdisc_run → start_xmit).
// - net_rx_action (TASKLET) grant-copies up to 238 slots per pass in one
//   multicall, then pushes responses, notifies each frontend once if it asked
//   (rsp_event), wakes queues no longer full and reschedules itself while
//   rx_queue holds packets.
// - netif_be_int runs on the vif's event-channel VCPU: it puts the vif on the
//   TX schedule list, schedules net_tx_tasklet there, and wakes the RX queue.
// - net_tx_action (TASKLET) takes the guest's TX requests (its ACKs) and
//   netif_rx()s them into that CPU's backlog; process_backlog (NET_RX) bridges
//   them to the physical NIC's transmit on the same CPU.
// The interrupt, qdisc and tasklet work is the same driver on a fleet host and
// lives in netbackSoftirqs.ts; what stays here is the paper's own: its guests
// send only ACKs, and process_backlog hands them to the wire.
import type { Sim } from '../kernel/sim.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import type { WorkPart, WorkSource } from '../xen/work.ts';
import type { CostModel } from './costs.ts';
import type { NetbackVif } from './netback.ts';
import { NetbackSoftirqs, type NetbackCpu } from './netbackSoftirqs.ts';
import type { NetfrontRx } from './netfront.ts';
import type { Run } from './packetQueue.ts';
import type { AckOut } from './receiverStack.ts';
import { ackTriples, splitAck, type AckPayload } from './ackPayload.ts';
import type { NapiPoll, NetRxAction } from './netRxAction.ts';

export interface Dom0NetbackWiring {
  sim: Sim;
  host: XenHost;
  costs: CostModel;
  /** Dom0's VCPUs. */
  dom0V: VcpuRt[];
  /** Per vif: the Dom0 VCPU its event channel is bound to. */
  vifEvtchnV: VcpuRt[];
  /** Per vif: the guest VCPU netfront's event channel is bound to. */
  guestV: VcpuRt[];
  netbacks: NetbackVif[];
  fronts: NetfrontRx[];
  bridgeCycles: number;
  bridgeName: string;
  /** net.core.netdev_max_backlog: packets a CPU's backlog holds (netif_rx drops beyond). */
  netdevMaxBacklog: number;
  /** Which vif a flow's packets go to. */
  vifOf(flow: number): number;
  sendToWire(acks: AckOut[]): void;
  /** Each Dom0 VCPU's NET_RX softirq (the backlog device joins its poll list). */
  netRxOf(v: VcpuRt): NetRxAction;
  /** weight_p: the backlog device's quota (64). */
  backlogWeight: number;
}

/** Per Dom0 VCPU: netback's pending work, and the guests' ACKs netif_rx'd here. */
interface CpuNet extends NetbackCpu {
  /** netif_rx'd guest packets (ACKs) waiting for process_backlog. */
  backlog: AckOut[];
  backlogPackets: number;
}

export class Dom0Netback {
  private readonly netback: NetbackSoftirqs<CpuNet>;
  /** Per vif: TX requests (the guest's ACKs) pushed and not yet taken. */
  private readonly txPending: AckOut[][];
  /** Per vif: netback asked to be notified of the next TX request (RING_FINAL_CHECK_FOR_REQUESTS). */
  private readonly txArmed: boolean[];
  backlogDrops = 0;

  constructor(private readonly w: Dom0NetbackWiring) {
    const cpus: CpuNet[] = w.dom0V.map((v) => ({ v, qdiscRuns: [], backlog: [], backlogPackets: 0, irqs: [], copies: 0 }));
    this.txPending = w.netbacks.map(() => []);
    this.txArmed = w.netbacks.map(() => true);
    this.netback = new NetbackSoftirqs(cpus, {
      host: w.host,
      costs: w.costs,
      vifEvtchnV: w.vifEvtchnV,
      // Every vif has the same netback config.
      vifConfig: w.netbacks[0]!.cfg,
      vif: (g) => w.netbacks[g]!,
      front: (g) => w.fronts[g]!,
      guestV: (g) => w.guestV[g]!,
      vifOf: (r) => w.vifOf(r.flow),
      hasTxRequests: (g) => this.txPending[g]!.length > 0,
      armTx: (g) => {
        this.txArmed[g] = true;
      },
    });
    for (const c of cpus) this.addSources(c);
  }

  get rxPasses(): number {
    return this.netback.rxPasses;
  }

  get rxPassPackets(): number {
    return this.netback.rxPassPackets;
  }

  /** Guest notifications sent by net_rx_action. */
  get frontendNotifies(): number {
    return this.netback.frontendNotifies;
  }

  /** The bridge forwarded these packets on `v` (the NIC's CPU): dev_queue_xmit to their vifs. */
  fromBridge(runs: readonly Run[], v: VcpuRt): void {
    const taken: Run[] = [];
    for (const r of runs) this.w.netbacks[this.w.vifOf(r.flow)]!.xmit(r, taken);
    this.netback.toRxQueue(taken, this.netback.cpu(v));
  }

  /** The guest notified its vif's event channel (new RX buffers crossed req_event, or TX requests). */
  guestNotify(vif: number, from: VcpuRt): void {
    this.netback.guestNotify(vif, from);
  }

  /** The guest pushed TX requests (its ACKs); notifies netback if it asked for it. */
  guestTx(vif: number, acks: readonly AckOut[], from: VcpuRt): void {
    for (const a of acks) this.txPending[vif]!.push(a);
    if (this.txArmed[vif]) {
      this.txArmed[vif] = false;
      this.guestNotify(vif, from);
    }
  }

  /** The queue's timer woke vif g: its qdisc runs in NET_TX of the CPU the timer fired on (its event-channel VCPU). */
  timeoutWake(vif: number): void {
    this.netback.timeoutWake(vif);
  }

  private addSources(c: CpuNet): void {
    const { w } = this;
    this.netback.addSources(c);
    // NET_RX: process_backlog — the guests' packets bridged out of the physical NIC, a quota at a time.
    w.netRxOf(c.v).add({
      name: 'backlog',
      weight: w.backlogWeight,
      scheduled: () => c.backlog.length > 0,
      poll: (max): NapiPoll<AckOut[]> => {
        const acks: AckOut[] = [];
        let p = 0;
        // Whole ACK runs until the quota is reached (a run may end a little past it).
        while (c.backlog.length > 0 && p < max) {
          const a = c.backlog.shift()!;
          acks.push(a);
          p += a.decision.ackPackets;
        }
        c.backlogPackets -= p;
        const parts: WorkPart[] = [
          { component: w.bridgeName, cycles: p * w.bridgeCycles, packets: p },
          { component: 'nic_tx', cycles: p * w.costs.nicTxCyclesPerPacket, packets: p },
        ];
        return { packets: p, parts, data: acks };
      },
      complete: (acks) => {
        w.sendToWire(acks);
        return c.backlog.length > 0;
      },
    });
    c.v.guest.addSource(this.netback.rxActionSource(c));
    c.v.guest.addSource(this.txActionSource(c));
  }

  /** net_tx_action on CPU c: take every scheduled vif's TX requests, netif_rx them here. */
  private txActionSource(c: CpuNet): WorkSource<{ vifs: number[]; acks: AckOut[] }> {
    const { w } = this;
    return this.netback.txActionSource(
      c,
      (vifs) => {
        const acks: AckOut[] = [];
        for (const g of vifs) {
          for (const a of this.txPending[g]!) acks.push(a);
          this.txPending[g] = [];
        }
        const p = acks.reduce((s, a) => s + a.decision.ackPackets, 0);
        return { parts: [{ component: 'netback_tx', cycles: p * w.costs.netbackTxCyclesPerPacket, packets: p }], data: { vifs, acks } };
      },
      ({ vifs, acks }) => {
        for (const a of acks) {
          // netif_rx, once per packet (net_tx_action → net_tx_submit): the CPU's input queue holds
          // netdev_max_backlog packets and drops each one past it, so a run of ACKs keeps its head
          // and loses only its tail (as the fleet's backlog does), not the whole run.
          const room = w.netdevMaxBacklog - c.backlogPackets;
          const n = a.decision.ackPackets;
          if (room <= 0) {
            this.backlogDrops += n;
            continue;
          }
          const kept = n > room ? ackHead(a, room) : a;
          this.backlogDrops += n - kept.decision.ackPackets;
          c.backlog.push(kept);
          c.backlogPackets += kept.decision.ackPackets;
        }
        for (const g of vifs) this.netback.finalCheckTx(g);
      },
      // The ACKs are copied and freed at once: no pending requests hold net_tx_action back.
      () => true,
    );
  }
}

/** The first `k` ACK packets of `a` (0 < k < its packets), as the sender would read them; the SACK blocks went with the tail's last ACK. */
export function ackHead(a: AckOut, k: number): AckOut {
  const d = a.decision;
  const tail: AckPayload = { fromSeq: a.fromSeq, batches: ackTriples(d), rwndSegs: d.rwndSegs };
  const head = splitAck(tail, k);
  const out: AckOut['decision']['batches'] = [];
  for (let i = 0; i < head.batches.length; i += 3) out.push({ ackSeq: head.batches[i]!, ackPackets: head.batches[i + 1]!, dupAcks: head.batches[i + 2]! });
  return { flow: a.flow, fromSeq: a.fromSeq, decision: { batches: out, ackPackets: k, ackSeq: tail.fromSeq, rwndSegs: d.rwndSegs } };
}
