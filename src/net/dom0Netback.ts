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
import type { Sim } from '../kernel/sim.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import { SOFTIRQ, softirqSource, type WorkPart, type WorkSource } from '../xen/work.ts';
import { ioChannelFactor, scaled, type CostModel } from './costs.ts';
import type { NetbackVif } from './netback.ts';
import type { NetfrontRx } from './netfront.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import type { AckOut } from './receiverStack.ts';
import { Tasklet } from './tasklet.ts';
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

/** Per Dom0 VCPU: what its softirqs have to do. */
interface CpuNet {
  v: VcpuRt;
  /** Vifs whose queue was woken here: their qdisc runs in this CPU's NET_TX. */
  qdiscRuns: number[];
  /** netif_rx'd guest packets (ACKs) waiting for process_backlog. */
  backlog: AckOut[];
  backlogPackets: number;
  /** Vif event-channel interrupts pending on this CPU. */
  irqs: number[];
}

export class Dom0Netback {
  /** netback's global rx_queue (packets taken by start_xmit, not yet copied), in order. */
  readonly rxQueue = new PacketQueue(Number.MAX_SAFE_INTEGER);
  readonly rxTasklet: Tasklet<CpuNet>;
  readonly txTasklet: Tasklet<CpuNet>;
  /** Per vif: TX requests (the guest's ACKs) pushed and not yet taken. */
  private readonly txPending: AckOut[][];
  /** Per vif: netback asked to be notified of the next TX request (RING_FINAL_CHECK_FOR_REQUESTS). */
  private readonly txArmed: boolean[];
  /** net_schedule_list: vifs with TX requests to take. */
  private txSchedule: number[] = [];
  private readonly cpus: CpuNet[];
  private readonly cpuOf = new Map<VcpuRt, CpuNet>();
  backlogDrops = 0;
  rxPasses = 0;
  rxPassPackets = 0;
  /** Guest notifications sent by net_rx_action. */
  frontendNotifies = 0;

  constructor(private readonly w: Dom0NetbackWiring) {
    const { host } = w;
    this.cpus = w.dom0V.map((v) => ({ v, qdiscRuns: [], backlog: [], backlogPackets: 0, irqs: [] }));
    for (const c of this.cpus) this.cpuOf.set(c.v, c);
    const raise = (c: CpuNet) => host.notify(c.v.id, null);
    this.rxTasklet = new Tasklet('net_rx_tasklet', raise);
    this.txTasklet = new Tasklet('net_tx_tasklet', raise);
    this.txPending = w.netbacks.map(() => []);
    this.txArmed = w.netbacks.map(() => true);
    for (const c of this.cpus) this.addSources(c);
  }

  private cpu(v: VcpuRt): CpuNet {
    return this.cpuOf.get(v)!;
  }

  /** The bridge forwarded these packets on `v` (the NIC's CPU): dev_queue_xmit to their vifs. */
  fromBridge(runs: readonly Run[], v: VcpuRt): void {
    const taken: Run[] = [];
    for (const r of runs) this.w.netbacks[this.w.vifOf(r.flow)]!.xmit(r, taken);
    this.enqueue(taken, this.cpu(v));
  }

  private enqueue(taken: readonly Run[], c: CpuNet): void {
    if (taken.length === 0) return;
    for (const r of taken) this.rxQueue.push(r.flow, r.seq, r.count);
    this.rxTasklet.schedule(c);
  }

  /** The guest notified its vif's event channel (new RX buffers crossed req_event, or TX requests). */
  guestNotify(vif: number, from: VcpuRt): void {
    const v = this.w.vifEvtchnV[vif]!;
    const c = this.cpu(v);
    if (!c.irqs.includes(vif)) c.irqs.push(vif);
    this.w.host.notify(v.id, from.id);
  }

  /** The guest pushed TX requests (its ACKs); notifies netback if it asked for it. */
  guestTx(vif: number, acks: readonly AckOut[], from: VcpuRt): void {
    for (const a of acks) this.txPending[vif]!.push(a);
    if (this.txArmed[vif]) {
      this.txArmed[vif] = false;
      this.guestNotify(vif, from);
    }
  }

  private ioAdjust(copyPcpu: number, vif: number): number {
    return ioChannelFactor(this.w.costs, this.w.host.topology.distance(copyPcpu, this.w.guestV[vif]!.processor));
  }

  private addSources(c: CpuNet): void {
    const { w } = this;
    const cost = w.costs;
    // netif_be_int for the vifs bound here.
    c.v.guest.addSource(
      softirqSource(
        'netif_be_int',
        SOFTIRQ.HARDIRQ,
        () => c.irqs.length > 0,
        () => {
          const vifs = c.irqs;
          c.irqs = [];
          return { parts: [{ component: 'evtchn', cycles: vifs.length * cost.eventChannelCycles, packets: 0 }], data: vifs };
        },
        (vifs: number[]) => {
          for (const g of vifs) {
            if (this.txPending[g]!.length > 0 && !this.txSchedule.includes(g)) this.txSchedule.push(g);
            if (w.netbacks[g]!.maybeWake() && !c.qdiscRuns.includes(g)) c.qdiscRuns.push(g);
          }
          if (this.txSchedule.length > 0) this.txTasklet.schedule(c);
        },
      ),
    );
    // NET_TX: qdisc_run of vifs woken on this CPU → netif_be_start_xmit → rx_queue.
    c.v.guest.addSource(
      softirqSource(
        'vif-qdisc',
        SOFTIRQ.NET_TX,
        () => c.qdiscRuns.length > 0,
        () => {
          const vifs = c.qdiscRuns;
          c.qdiscRuns = [];
          return { parts: [], data: vifs };
        },
        (vifs: number[]) => {
          const taken: Run[] = [];
          for (const g of vifs) w.netbacks[g]!.runQdisc(taken);
          this.enqueue(taken, c);
        },
      ),
    );
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
          { component: 'nic_tx', cycles: p * cost.nicTxCyclesPerPacket, packets: p },
        ];
        return { packets: p, parts, data: acks };
      },
      complete: (acks) => {
        w.sendToWire(acks);
        return c.backlog.length > 0;
      },
    });
    c.v.guest.addSource(this.rxTaskletSource(c));
    c.v.guest.addSource(this.txTaskletSource(c));
  }

  /** net_rx_action on CPU c. */
  private rxTaskletSource(c: CpuNet): WorkSource<[number, Run[]][]> {
    const { w } = this;
    return softirqSource(
      'net_rx_action',
      SOFTIRQ.TASKLET,
      () => this.rxTasklet.pendingOn(c),
      (ctx) => {
        this.rxTasklet.begin();
        const runs: Run[] = [];
        const n = this.rxQueue.pop(w.netbacks[0]!.cfg.maxSlotsPerPass, runs);
        this.rxPasses++;
        this.rxPassPackets += n;
        // Per vif, in order of first appearance: the packets of this pass (one grant-copy op and one request slot each).
        const byVif: [number, Run[]][] = [];
        let copyCycles = 0;
        for (const r of runs) {
          const g = w.vifOf(r.flow);
          let entry = byVif.find((e) => e[0] === g);
          if (!entry) byVif.push((entry = [g, []]));
          entry[1].push(r);
          w.netbacks[g]!.consumed(r.count);
          copyCycles += r.count * scaled(w.costs, w.costs.ioChannelCyclesPerPacket) * this.ioAdjust(ctx.pcpu, g);
        }
        return { parts: [{ component: 'io_channel', cycles: copyCycles, packets: n }], data: byVif };
      },
      (byVif, d) => {
        for (const [g, list] of byVif) {
          const nb = w.netbacks[g]!;
          const notify = nb.pushResponses();
          if (notify) this.frontendNotifies++;
          w.fronts[g]!.deliver(list, d.pcpu, notify);
          if (notify) w.host.notify(w.guestV[g]!.id, c.v.id);
          if (nb.maybeWake() && !c.qdiscRuns.includes(g)) c.qdiscRuns.push(g);
        }
        if (c.qdiscRuns.length > 0) w.host.notify(c.v.id, null);
        this.rxTasklet.end();
        if (this.rxQueue.length > 0) this.rxTasklet.schedule(c);
      },
    );
  }

  /** net_tx_action on CPU c: take every scheduled vif's TX requests, netif_rx them here. */
  private txTaskletSource(c: CpuNet): WorkSource<{ vifs: number[]; acks: AckOut[] }> {
    const { w } = this;
    return softirqSource(
      'net_tx_action',
      SOFTIRQ.TASKLET,
      () => this.txTasklet.pendingOn(c),
      () => {
        this.txTasklet.begin();
        const vifs = this.txSchedule;
        this.txSchedule = [];
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
          // netif_rx: the CPU's input queue holds netdev_max_backlog packets.
          const room = w.netdevMaxBacklog - c.backlogPackets;
          if (a.decision.ackPackets > room) {
            this.backlogDrops += a.decision.ackPackets;
            continue;
          }
          c.backlog.push(a);
          c.backlogPackets += a.decision.ackPackets;
        }
        // RING_FINAL_CHECK_FOR_REQUESTS: requests that came meanwhile keep the vif scheduled; else re-arm.
        for (const g of vifs) {
          if (this.txPending[g]!.length > 0) {
            if (!this.txSchedule.includes(g)) this.txSchedule.push(g);
          } else this.txArmed[g] = true;
        }
        this.txTasklet.end();
        if (this.txSchedule.length > 0) this.txTasklet.schedule(c);
      },
    );
  }

  /** The queue's timer woke vif g: its qdisc runs in NET_TX of the CPU the timer fired on (its event-channel VCPU). */
  timeoutWake(vif: number): void {
    const c = this.cpu(this.w.vifEvtchnV[vif]!);
    if (!c.qdiscRuns.includes(vif)) c.qdiscRuns.push(vif);
    this.w.host.notify(c.v.id, null);
  }
}
