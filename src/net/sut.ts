// The system under test's receive path, wired onto a host's VCPUs for the
// three configurations of the paper's Fig 3: native Linux (NIC → stack →
// iperf), iperf in Dom0 (NIC → bridge → netloop → stack), and iperf in a DomU
// (NIC → bridge → netback → grant copy → netfront → guest stack), with the
// ACKs going back the same way.
import { createBridgeMachine } from '../../actors/bridge.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import type { WorkContext, WorkItem, WorkPart, WorkSource } from '../xen/work.ts';
import { ForwardingDb } from './bridge.ts';
import { cacheFactor, scaled, type CostModel } from './costs.ts';
import { ACK_FRAME_WIRE_BYTES, type AcksMsg, type LinkDirection } from './link.ts';
import { Netback, type NetbackConfig } from './netback.ts';
import { Netfront } from './netfront.ts';
import { NicRx, type NicRxConfig } from './nicRx.ts';
import type { Run } from './packetQueue.ts';
import { ReaderSource } from './readers.ts';
import { BurstQueue } from '../xen/workloads.ts';
import { ackTriples, ReceiverStack, type AckOut } from './receiverStack.ts';
import type { TcpReceiverOptions } from './tcp/receiver.ts';

export type SutKind = 'linux' | 'dom0' | 'domu';

export interface SutConfig {
  kind: SutKind;
  flows: number;
  messageBytes: number;
  mssBytes: number;
  nic: NicRxConfig;
  netback: NetbackConfig;
  frontendRingSlots: number;
  /** netfront NAPI weight. */
  napiWeight: number;
  bridge: 'linux' | 'simple';
  bridgeAgeingNs: number;
  costs: CostModel;
  tcp: TcpReceiverOptions;
  /** Dom0 VCPU the NIC interrupt and netback's event channels are bound to. */
  irqVcpu: number;
  /** Timer wake of every Dom0 VCPU (ns; 0 = none) and the cycles it runs. */
  dom0TimerNs: number;
  dom0TimerCycles: number;
  readChunkBytes: number;
}

/** Local actor indices of the SUT's network actors. */
export const SUT_ACTORS = { nic: 4096, bridge: 4097, netback: 4098, netfront: 4099, timers: 4100 } as const;

/** A queue of ACKs waiting for CPU on one VCPU, as a softirq work source. */
class AckQueue implements WorkSource {
  readonly name: string;
  readonly workClass = 'softirq' as const;
  private acks: AckOut[] = [];
  constructor(name: string, private readonly costOf: (packets: number) => WorkPart[], private readonly out: (acks: AckOut[]) => void) {
    this.name = name;
  }
  add(a: AckOut[]): void {
    for (const x of a) this.acks.push(x);
  }
  pending(): boolean {
    return this.acks.length > 0;
  }
  take(): WorkItem {
    const batch = this.acks;
    this.acks = [];
    const packets = batch.reduce((s, a) => s + a.decision.ackPackets, 0);
    return { parts: this.costOf(packets), done: () => this.out(batch) };
  }
}

export interface SutCounters {
  nic: NicRx;
  netback: Netback | null;
  netfront: Netfront | null;
  stack: ReceiverStack;
  fdb: ForwardingDb;
  receivingDomain: string;
}

export function buildSut(sim: Sim, host: XenHost, cfg: SutConfig, linkOut: LinkDirection): SutCounters {
  const c = cfg.costs;
  const id = (k: keyof typeof SUT_ACTORS) => host.localActorId(SUT_ACTORS[k]);
  const dom0 = host.domains[0]!;
  const irqV = host.vcpus[dom0.vcpus[cfg.irqVcpu]!]!;
  const recvDom = cfg.kind === 'domu' ? host.domains[1]! : dom0;
  const recvVcpus = recvDom.vcpus.map((v) => host.vcpus[v]!);
  const topo = host.topology;
  const bridgeCycles = cfg.kind === 'linux' ? 0 : scaled(c, cfg.bridge === 'simple' ? c.simpleBridgeCyclesPerPacket : c.bridgeCyclesPerPacket);
  const bridgeName = cfg.bridge === 'simple' ? 'simple_bridge' : 'bridge';

  // Bridge forwarding database: the stressor's and the guest's MACs are learned once, then looked up.
  const fdb = new ForwardingDb(256, cfg.bridgeAgeingNs, 0x5eed);
  const bridgeActor = new XStateActor(id('bridge'), sim, createBridgeMachine({
    ageCheckMs: Math.max(1, cfg.bridgeAgeingNs / 4 / 1e6),
    age: () => fdb.age(sim.nowNs),
    learned: () => {},
  }));
  // MACs as (high 16, low 32) bits: the stressor's NIC behind the physical port, the guest's vif port.
  const STRESSOR_MAC = [0x0016, 0x3e000001] as const;
  const GUEST_MAC = [0x00ff, 0xfe000001] as const;
  const PHYS_PORT = 0;
  const VIF_PORT = 1;
  let floods = 0;
  fdb.learn(GUEST_MAC[0], GUEST_MAC[1], VIF_PORT, 0);
  /** br_handle_frame: learn the source, look up the destination (one lookup per run of a flow). */
  const forward = (runs: readonly Run[]) => {
    for (let i = 0; i < runs.length; i++) {
      if (fdb.learn(STRESSOR_MAC[0], STRESSOR_MAC[1], PHYS_PORT, sim.nowNs)) bridgeActor.send({ type: 'LEARNED' });
      if (fdb.lookup(GUEST_MAC[0], GUEST_MAC[1], sim.nowNs) === null) {
        floods++;
        fdb.learn(GUEST_MAC[0], GUEST_MAC[1], VIF_PORT, sim.nowNs); // the guest's next frame re-teaches it
      }
    }
  };
  void floods;

  const sendToWire = (acks: AckOut[]) => {
    for (const a of acks) {
      const msg: AcksMsg = { type: 'ACKS', flow: a.flow, batches: ackTriples(a.decision), rwndSegs: a.decision.rwndSegs };
      linkOut.send(a.decision.ackPackets, ACK_FRAME_WIRE_BYTES, msg);
    }
  };

  // Where ACKs are produced and what they cost until they leave the NIC.
  let ackQueue: AckQueue;
  let ackVcpu: VcpuRt;
  if (cfg.kind === 'domu') {
    ackVcpu = recvVcpus[0]!;
  } else {
    ackVcpu = irqV;
  }
  const stack = new ReceiverStack(sim, cfg.flows, cfg.tcp, id('timers'), (acks) => {
    ackQueue.add(acks);
    host.notify(ackVcpu.id, null);
  });

  let producerPcpu = irqV.processor;
  // sk_data_ready wakes the reader threads that have data waiting.
  const readerVcpus = cfg.kind === 'domu' ? recvVcpus : recvVcpus.length > 1 ? recvVcpus.slice(1) : recvVcpus;
  const readers: ReaderSource[] = [];
  const readerFlows = readerVcpus.map((_, i) => [...Array(cfg.flows).keys()].filter((f) => f % readerVcpus.length === i));
  const readersWake = () => {
    readerVcpus.forEach((v, i) => {
      if (readers[i]?.pending()) host.notify(v.id, null);
    });
  };
  let ackParts: (p: number) => WorkPart[] = () => [];
  const prequeue: Run[][] = Array.from({ length: cfg.flows }, () => []);
  const prequeueWake = () => {
    readerVcpus.forEach((v, i) => {
      if (readerFlows[i]!.some((f) => prequeue[f]!.length > 0)) host.notify(v.id, irqV.id);
    });
  };
  let netback: Netback | null = null;
  let netfront: Netfront | null = null;
  const nic = new NicRx(id('nic'), sim, cfg.nic, () => host.notify(irqV.id, null));
  sim.register(nic);

  if (cfg.kind !== 'domu') {
    // The IRQ CPU runs the driver and IP (and, in Dom0, the bridge and netloop);
    // TCP receive runs in the reader's context (tcp_prequeue: 2.6.18 hands the
    // segment to the task waiting in recvmsg), which also sends the ACKs — and
    // in Dom0 those ACKs cross netloop and the bridge on the reader's CPU.
    ackParts = (p: number): WorkPart[] => [
      { component: 'stack_tx', cycles: p * c.stackTxCyclesPerPacket, packets: p },
      ...(cfg.kind === 'dom0' ? [{ component: 'netloop', cycles: p * c.netloopCyclesPerPacket, packets: p }] : []),
      ...(bridgeCycles ? [{ component: bridgeName, cycles: p * bridgeCycles, packets: p }] : []),
      { component: 'nic_tx', cycles: p * c.nicTxCyclesPerPacket, packets: p },
    ];
    ackQueue = new AckQueue('ack-tx', ackParts, sendToWire);
    irqV.guest.addSource(nic.pollSource(
      (n) => [
        { component: 'nic_rx', cycles: n * c.nicRxCyclesPerPacket, packets: n },
        ...(bridgeCycles ? [{ component: bridgeName, cycles: n * bridgeCycles, packets: n }] : []),
        ...(cfg.kind === 'dom0' ? [{ component: 'netloop', cycles: n * c.netloopCyclesPerPacket, packets: n }] : []),
        { component: 'ip_rx', cycles: n * c.ipRxCyclesPerPacket, packets: n },
      ],
      (runs, ctx) => {
        if (bridgeCycles) forward(runs);
        producerPcpu = ctx.pcpu;
        for (const r of runs) prequeue[r.flow]!.push(r);
        prequeueWake();
      },
    ));
    irqV.guest.addSource(ackQueue);
  } else {
    const domuV = recvVcpus[0]!;
    netback = new Netback(id('netback'), sim, cfg.netback);
    const nb = netback;
    netfront = new Netfront(id('netfront'), sim, cfg.frontendRingSlots, () => host.notify(domuV.id, irqV.id));
    const nf = netfront;
    // Dom0: NIC poll + bridge, then dev_queue_xmit to the vif.
    irqV.guest.addSource(nic.pollSource(
      (n) => [
        { component: 'nic_rx', cycles: n * c.nicRxCyclesPerPacket, packets: n },
        { component: bridgeName, cycles: n * bridgeCycles, packets: n },
      ],
      (runs) => {
        forward(runs);
        nb.xmit(runs);
      },
    ));
    // Dom0: net_rx_action (the netback tasklet): grant copy one pass, notify once.
    irqV.guest.addSource({
      name: 'netback-rx',
      workClass: 'softirq',
      pending: () => nb.rxQueue.length > 0 && nb.reqPosted > 0,
      take: (ctx: WorkContext): WorkItem => {
        const runs: Run[] = [];
        const n = nb.takePass(runs);
        return {
          parts: [
            { component: 'io_channel', cycles: n * scaled(c, c.ioChannelCyclesPerPacket), packets: n },
            { component: 'evtchn', cycles: c.eventChannelCycles, packets: 0 },
          ],
          done: () => {
            nf.push(runs, ctx.pcpu);
            nb.maybeWake();
          },
        };
      },
    });
    // Dom0: netif_be_int after a refill crossed req_event → wake the vif queue.
    let beKick = false;
    irqV.guest.addSource({
      name: 'netback-kick',
      workClass: 'softirq',
      pending: () => beKick,
      take: (): WorkItem => ({
        parts: [{ component: 'evtchn', cycles: c.eventChannelCycles, packets: 0 }],
        done: () => {
          beKick = false;
          nb.maybeWake();
        },
      }),
    });
    // Dom0: netback TX (ACKs from the guest) → bridge → NIC TX.
    const beTx = new AckQueue('netback-tx', (p) => [
      { component: 'netback_tx', cycles: p * c.netbackTxCyclesPerPacket, packets: p },
      { component: bridgeName, cycles: p * bridgeCycles, packets: p },
      { component: 'nic_tx', cycles: p * c.nicTxCyclesPerPacket, packets: p },
    ], sendToWire);
    irqV.guest.addSource(beTx);
    // DomU: netfront NAPI poll, guest stack, refill.
    domuV.guest.addSource({
      name: 'netfront-napi',
      workClass: 'softirq',
      pending: () => nf.napiScheduled,
      take: (ctx: WorkContext): WorkItem => {
        const runs: Run[] = [];
        const n = nf.responses.pop(cfg.napiWeight, runs);
        const f = cacheFactor(c, topo.distance(nf.producerPcpu, ctx.pcpu));
        return {
          parts: [
            { component: 'netfront_rx', cycles: n * c.netfrontRxCyclesPerPacket, packets: n },
            { component: 'stack_rx', cycles: n * c.stackRxCyclesPerPacket * f, packets: n },
          ],
          done: (d) => {
            if (n > 0) {
              producerPcpu = nf.producerPcpu;
              ackQueue.add(stack.deliver(runs, d.nowNs));
              const wasStopped = nb.stopped;
              nb.refill(n);
              if (wasStopped && !nb.full()) {
                beKick = true;
                host.notify(irqV.id, domuV.id);
              }
              readersWake();
            }
            nf.pollDone();
          },
        };
      },
    });
    // DomU: ACKs out through netfront TX; netif_be_int on Dom0.
    ackQueue = new AckQueue('netfront-tx', (p) => [
      { component: 'stack_tx', cycles: p * c.stackTxCyclesPerPacket, packets: p },
      { component: 'netfront_tx', cycles: p * c.netfrontTxCyclesPerPacket, packets: p },
    ], (acks) => {
      beTx.add(acks);
      host.notify(irqV.id, domuV.id);
    });
    domuV.guest.addSource(ackQueue);
  }

  // iperf reader threads on the receiving domain's VCPUs (natively: the cores other than the IRQ core).
  readerVcpus.forEach((v, i) => {
    const flows = readerFlows[i]!;
    if (cfg.kind !== 'domu' && flows.length > 0) v.guest.addSource(prequeueSource(flows));
    const src = new ReaderSource(stack, flows, {
      get messageBytes() {
        return cfg.messageBytes;
      },
      chunkBytes: cfg.readChunkBytes,
      readSyscallCycles: c.readSyscallCycles,
      copyCyclesPerByte: c.copyToUserCyclesPerByte,
      factor: (p, q) => cacheFactor(c, topo.distance(p, q)),
      producerPcpu: () => producerPcpu,
    }, (ack) => {
      ackQueue.add([ack]);
      host.notify(ackVcpu.id, v.id);
    });
    readers.push(src);
    if (flows.length > 0) v.guest.addSource(src);
  });

  /** tcp_prequeue processing in the reader's context: TCP receive and the ACKs it sends. */
  function prequeueSource(flows: number[]): WorkSource {
    return {
      name: 'tcp-prequeue',
      workClass: 'softirq',
      pending: () => flows.some((f) => prequeue[f]!.length > 0),
      take: (): WorkItem => {
        const runs: Run[] = [];
        for (const f of flows) runs.push(...prequeue[f]!.splice(0));
        const n = runs.reduce((a, r) => a + r.count, 0);
        const acks = Math.ceil(n / 2);
        return {
          parts: [{ component: 'stack_rx', cycles: n * c.stackRxCyclesPerPacket, packets: n }, ...ackParts(acks)],
          done: (ctx) => sendToWire(stack.deliver(runs, ctx.nowNs)),
        };
      },
    };
  }

  // Guest timer ticks: each Dom0 VCPU wakes for its next Linux timer (phase drawn per VCPU).
  if (cfg.kind !== 'linux' && cfg.dom0TimerNs > 0) {
    dom0.vcpus.forEach((vid, i) => {
      const v = host.vcpus[vid]!;
      const q = new BurstQueue('timer', 'guest_timer', cfg.dom0TimerCycles);
      v.guest.addSource(q);
      const timerId = host.localActorId(SUT_ACTORS.timers + 8 + i);
      const rng = sim.rng(timerId);
      const fire = () => {
        q.bursts = 1;
        host.notify(v.id, null);
        sim.timer(timerId, cfg.dom0TimerNs, fire);
      };
      sim.timer(timerId, 1 + rng.int(cfg.dom0TimerNs), fire);
    });
  }

  return { nic, netback, netfront, stack, fdb, receivingDomain: recvDom.name };
}
