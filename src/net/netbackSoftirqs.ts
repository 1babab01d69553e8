// netback's interrupt and tasklet work on Dom0's CPUs (drivers/xen/netback/
// netback.c, Xen 3.1), in one place because the paper's Dom0
// (dom0Netback.ts) and a fleet host's Dom0 (fleet/dom0Fleet.ts) run the same
// driver: netif_be_int on a vif's event-channel VCPU, qdisc_run of woken vifs
// in NET_TX, the global rx_queue that net_rx_tasklet grant-copies into the
// guests, and net_schedule_list with net_tx_tasklet's scheduling. What a
// model does differently stays with it: what net_tx_action takes from the
// guests and where it goes (each CPU's backlog and NET_RX).
import type { VcpuRt, XenHost } from '../xen/host.ts';
import { SOFTIRQ, softirqSource, type WorkContext, type WorkPart, type WorkSource } from '../xen/work.ts';
import { ioChannelFactor, scaled, type CostModel } from './costs.ts';
import type { NetbackConfig, NetbackVif } from './netback.ts';
import type { NetfrontRx } from './netfront.ts';
import { PacketQueue, type Run } from './packetQueue.ts';
import { Tasklet } from './tasklet.ts';

/** A Dom0 VCPU's pending netback work; each model adds its backlog. */
export interface NetbackCpu {
  v: VcpuRt;
  /** Vifs whose queue was woken here: their qdisc runs in this CPU's NET_TX. */
  qdiscRuns: number[];
  /** Vif event-channel interrupts pending on this CPU. */
  irqs: number[];
  /** Jumbo segments netif_be_start_xmit took here whose netbk_copy_skb is still to be charged. */
  copies: number;
}

/** Where a model keeps vif g's pieces (guest g's device). */
export interface NetbackLookups {
  host: XenHost;
  costs: CostModel;
  /** Per vif: the Dom0 VCPU its event channel is bound to. */
  vifEvtchnV: readonly VcpuRt[];
  /** The vifs' netback config (every vif of a host has the same): slots per pass and per segment, the jumbo copy. */
  vifConfig: NetbackConfig;
  vif(g: number): NetbackVif;
  front(g: number): NetfrontRx;
  /** The guest VCPU netfront's event channel is bound to (its cache is what the grant copy fills). */
  guestV(g: number): VcpuRt;
  /** The vif a packet in rx_queue goes to. */
  vifOf(r: Run): number;
  /** Guest g has pushed TX requests netback has not taken. */
  hasTxRequests(g: number): boolean;
  /** Re-arm guest g's TX notification (req_event): its next request raises netif_be_int. */
  armTx(g: number): void;
  /**
   * maybe_schedule_tx_action's condition: NR_PENDING_REQS < MAX_PENDING_REQS/2. Absent: always (the paper's
   * guests send only ACKs, a few pending at a time).
   */
  fewPendingReqs?(): boolean;
}

export class NetbackSoftirqs<C extends NetbackCpu> {
  /** netback's global rx_queue (packets taken by start_xmit, not yet copied), in order. */
  private readonly rxQueue = new PacketQueue(Number.MAX_SAFE_INTEGER);
  private readonly rxTasklet: Tasklet<C>;
  private readonly txTasklet: Tasklet<C>;
  /** net_schedule_list: vifs with TX requests to take. */
  private txSchedule: number[] = [];
  private readonly cpuOf = new Map<VcpuRt, C>();
  /** Scratch of net_rx_action: each vif's entry in the pass being built (-1: none). */
  private readonly vifSlot: Int32Array;
  rxPasses = 0;
  rxPassPackets = 0;
  /** Guest notifications sent by net_rx_action. */
  frontendNotifies = 0;

  constructor(cpus: readonly C[], private readonly m: NetbackLookups) {
    for (const c of cpus) this.cpuOf.set(c.v, c);
    const raise = (c: C) => m.host.notify(c.v.id, null);
    this.rxTasklet = new Tasklet('net_rx_tasklet', raise);
    this.txTasklet = new Tasklet('net_tx_tasklet', raise);
    this.vifSlot = new Int32Array(m.vifEvtchnV.length).fill(-1);
  }

  cpu(v: VcpuRt): C {
    return this.cpuOf.get(v)!;
  }

  /** The guest notified its vif's event channel (TX requests, or RX buffers across req_event). */
  guestNotify(g: number, from: VcpuRt): void {
    const v = this.m.vifEvtchnV[g]!;
    const c = this.cpu(v);
    if (!c.irqs.includes(g)) c.irqs.push(g);
    this.m.host.notify(v.id, from.id);
  }

  /** netback's queue timer woke vif g: the timer fires on the vif's event-channel VCPU, so its qdisc runs there. */
  timeoutWake(g: number): void {
    const c = this.cpu(this.m.vifEvtchnV[g]!);
    if (!c.qdiscRuns.includes(g)) c.qdiscRuns.push(g);
    this.m.host.notify(c.v.id, null);
  }

  /**
   * Packets netif_be_start_xmit took on CPU c join rx_queue; tasklet_schedule queues net_rx_tasklet on c.
   * A data segment whose head crosses a page was copied first (netbk_copy_skb), on c: charged right after
   * the item that took it (copySource).
   */
  toRxQueue(taken: readonly Run[], c: C): void {
    if (taken.length === 0) return;
    const copies = this.m.vifConfig.copyBytesPerSegment > 0;
    for (const r of taken) {
      this.rxQueue.push(r.flow, r.seq, r.count, r.ack);
      if (copies && r.ack === undefined) c.copies += r.count;
    }
    this.rxTasklet.schedule(c);
  }

  /** The driver's interrupt and NET_TX work on CPU c, and netbk_copy_skb's where frames need it. */
  addSources(c: C): void {
    c.v.guest.addSource(this.irqSource(c));
    if (this.m.vifConfig.copyBytesPerSegment > 0) c.v.guest.addSource(this.copySource(c));
    c.v.guest.addSource(this.qdiscSource(c));
  }

  /** netbk_copy_skb's cycles on CPU c, inline after the item whose start_xmit took the segments. */
  private copySource(c: C): WorkSource<null> {
    const costs = this.m.costs;
    const copyBytesPerSegment = this.m.vifConfig.copyBytesPerSegment;
    const src: WorkSource<null> = {
      name: 'netbk_copy_skb',
      inline: true,
      pending: () => c.copies > 0,
      take: () => {
        const n = c.copies;
        c.copies = 0;
        return { parts: [{ component: 'netbk_copy_skb', cycles: n * copyBytesPerSegment * costs.copyToUserCyclesPerByte, packets: n }], source: src, data: null };
      },
      complete: () => {},
    };
    return src;
  }

  /** net_tx_tasklet goes on CPU c if any vif waits on net_schedule_list. */
  scheduleTxAction(c: C): void {
    if (this.txSchedule.length > 0) this.txTasklet.schedule(c);
  }

  /** RING_FINAL_CHECK_FOR_REQUESTS after net_tx_action took g's requests: ones that came meanwhile keep g scheduled. */
  finalCheckTx(g: number): void {
    if (this.m.hasTxRequests(g)) this.scheduleTx(g);
    else this.m.armTx(g);
  }

  private scheduleTx(g: number): void {
    if (!this.txSchedule.includes(g)) this.txSchedule.push(g);
  }

  /** netif_wake_queue: a vif woken on CPU c runs its qdisc in c's NET_TX. */
  private wakeOn(g: number, c: C): void {
    if (this.m.vif(g).maybeWake() && !c.qdiscRuns.includes(g)) c.qdiscRuns.push(g);
  }

  /** netif_be_int for the vifs bound to CPU c. */
  irqSource(c: C): WorkSource<number[]> {
    return softirqSource(
      'netif_be_int',
      SOFTIRQ.HARDIRQ,
      () => c.irqs.length > 0,
      () => {
        const vifs = c.irqs;
        c.irqs = [];
        return { parts: [{ component: 'evtchn', cycles: vifs.length * this.m.costs.eventChannelCycles, packets: 0 }], data: vifs };
      },
      (vifs) => {
        for (const g of vifs) {
          if (this.m.hasTxRequests(g)) this.scheduleTx(g);
          this.wakeOn(g, c);
        }
        // maybe_schedule_tx_action: with half of the pending slots or more in use, the vif waits on
        // net_schedule_list for the tasklet a released skb schedules (netif_idx_release).
        if (this.m.fewPendingReqs?.() ?? true) this.scheduleTxAction(c);
      },
    );
  }

  /** NET_TX on CPU c: qdisc_run of the vifs woken here → netif_be_start_xmit → rx_queue. */
  qdiscSource(c: C): WorkSource<number[]> {
    return softirqSource(
      'vif-qdisc',
      SOFTIRQ.NET_TX,
      () => c.qdiscRuns.length > 0,
      () => {
        const vifs = c.qdiscRuns;
        c.qdiscRuns = [];
        return { parts: [], data: vifs };
      },
      (vifs) => {
        const taken: Run[] = [];
        for (const g of vifs) this.m.vif(g).runQdisc(taken);
        this.toRxQueue(taken, c);
      },
    );
  }

  /**
   * The grant copy into guest g: Table 1's I/O channel per packet; an ACK's (fleet hosts only) copy share is
   * negligible. A jumbo segment's further slots each add a grant-copy operation and a response: the
   * fixed (non-copy) share once more per slot, its bytes already counted by the copy share.
   */
  private copyInCycles(r: Run, copyPcpu: number, g: number, slots: number): number {
    const cost = this.m.costs;
    const io = scaled(cost, cost.ioChannelCyclesPerPacket);
    const fixed = 1 - cost.ioChannelCopyShare;
    const f = r.ack ? fixed : ioChannelFactor(cost, this.m.host.topology.distance(copyPcpu, this.m.guestV(g).processor)) + (slots - 1) * fixed;
    return r.count * io * f;
  }

  /** net_rx_action on CPU c: one multicall of grant copies, then each frontend told once if it asked (rsp_event). */
  rxActionSource(c: C): WorkSource<[number, Run[]][]> {
    const { m } = this;
    return softirqSource(
      'net_rx_action',
      SOFTIRQ.TASKLET,
      () => this.rxTasklet.pendingOn(c),
      (ctx) => {
        this.rxTasklet.begin();
        const runs: Run[] = [];
        // Packets until their slots reach the pass's (count + MAX_SKB_FRAGS >= NET_RX_RING_SIZE): popped in
        // steps that surely fit at a data segment's slots each (one step when a segment takes one slot).
        const perSeg = m.vifConfig.slotsPerSegment;
        const maxSlots = m.vifConfig.maxSlotsPerPass;
        let n = 0;
        let slotsUsed = 0;
        while (slotsUsed < maxSlots && this.rxQueue.length > 0) {
          const from = runs.length;
          n += this.rxQueue.pop(Math.ceil((maxSlots - slotsUsed) / perSeg), runs);
          for (let i = from; i < runs.length; i++) slotsUsed += runs[i]!.count * (runs[i]!.ack === undefined ? perSeg : 1);
        }
        // Per vif, in order of first appearance: the packets of this pass (one grant-copy op and one request slot each).
        const byVif: [number, Run[]][] = [];
        const slot = this.vifSlot;
        let cycles = 0;
        for (const r of runs) {
          const g = m.vifOf(r);
          let k = slot[g]!;
          if (k < 0 || byVif[k]?.[0] !== g) {
            k = byVif.length;
            slot[g] = k;
            byVif.push([g, []]);
          }
          byVif[k]![1].push(r);
          const slots = m.vif(g).slotsOf(r.ack);
          m.vif(g).consumed(r.count, r.count * slots);
          cycles += this.copyInCycles(r, ctx.pcpu, g, slots);
        }
        for (const [g] of byVif) slot[g] = -1;
        return { parts: [{ component: 'io_channel', cycles, packets: n }], data: byVif };
      },
      (byVif, d) => {
        // Counted as the pass hands its packets to netfront, not as it takes them: a pass still copying when
        // the run ends handed nothing over (the result's packetsPerPass is per pass handed over).
        this.rxPasses++;
        for (const [g, list] of byVif) {
          for (const r of list) this.rxPassPackets += r.count;
          const notify = m.vif(g).pushResponses();
          if (notify) this.frontendNotifies++;
          m.front(g).deliver(list, d.pcpu, notify);
          if (notify) m.host.notify(m.guestV(g).id, c.v.id);
          this.wakeOn(g, c);
        }
        if (c.qdiscRuns.length > 0) m.host.notify(c.v.id, null);
        this.rxTasklet.end();
        if (this.rxQueue.length > 0) this.rxTasklet.schedule(c);
      },
    );
  }

  /**
   * net_tx_action on CPU c around the model's part: `take` gets the vifs
   * scheduled so far, `handOn` passes their packets on and calls finalCheckTx
   * for each; the tasklet goes again while vifs wait and `mayRunAgain` allows.
   */
  txActionSource<D>(
    c: C,
    take: (vifs: number[], ctx: WorkContext) => { parts: WorkPart[]; data: D },
    handOn: (data: D) => void,
    mayRunAgain: () => boolean,
  ): WorkSource<D> {
    return softirqSource(
      'net_tx_action',
      SOFTIRQ.TASKLET,
      () => this.txTasklet.pendingOn(c),
      (ctx) => {
        this.txTasklet.begin();
        const vifs = this.txSchedule;
        this.txSchedule = [];
        return take(vifs, ctx);
      },
      (data) => {
        handOn(data);
        this.txTasklet.end();
        if (this.txSchedule.length > 0 && mayRunAgain()) this.txTasklet.schedule(c);
      },
    );
  }
}
