// The system under test's receive path, wired onto a host's VCPUs for the
// three configurations of the paper's Fig 3: native Linux (NIC → stack →
// iperf), iperf in Dom0 (NIC → bridge → netloop → stack), and iperf in a DomU
// (NIC → bridge → netback → grant copy → netfront → guest stack), with the
// ACKs going back the same way.
import { createBridgeMachine } from '../../actors/bridge.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import type { VcpuRt, XenHost } from '../xen/host.ts';
import { SOFTIRQ, softirqSource, type WorkPart, type WorkSource } from '../xen/work.ts';
import { BurstQueue } from '../xen/workloads.ts';
import { Every } from '../kernel/timers.ts';
import { AckQueue } from './ackQueue.ts';
import { ForwardingDb } from './bridge.ts';
import { cacheFactor, scaled, type CostModel } from './costs.ts';
import { wireGuests, type Guests } from './guests.ts';
import { DEFAULT_FRAMES } from './frames.ts';
import type { AcksMsg, LinkDirection } from './link.ts';
import type { NetbackConfig, NetbackVif } from './netback.ts';
import type { NetfrontConfig, NetfrontRx } from './netfront.ts';
import { NicRx, type NicRxConfig } from './nicRx.ts';
import { NetRxAction } from './netRxAction.ts';
import type { Run } from './packetQueue.ts';
import { ReaderSource } from './readers.ts';
import { ackTriples } from './ackPayload.ts';
import { ReceiverStack, type AckOut } from './receiverStack.ts';
import type { TcpReceiverOptions } from './tcp/receiver.ts';

export type SutKind = 'linux' | 'dom0' | 'domu';

/** Which Dom0 VCPU takes which interrupt (an input: /proc/irq/N/smp_affinity, irqbalance). */
export interface IrqBinding {
  /** The physical NIC's IRQ (and so its NAPI poll and the bridge of received frames). */
  nicVcpu: number;
  /** Per guest: the Dom0 VCPU its vif's event channel is bound to (netif_be_int, net_tx_action, the ACKs' bridge). */
  vifVcpus: number[];
}

export interface SutConfig {
  kind: SutKind;
  flows: number;
  /** Bytes the iperf receiver asks for per recv() (its own -l). */
  recvBytes: number;
  mssBytes: number;
  nic: NicRxConfig;
  netback: NetbackConfig;
  netfront: NetfrontConfig;
  /** net.core.netdev_budget (packets per net_rx_action) and netdev_max_backlog. */
  netdevBudget: number;
  netdevMaxBacklog: number;
  bridge: 'linux' | 'simple';
  bridgeAgeingNs: number;
  costs: CostModel;
  tcp: TcpReceiverOptions;
  binding: IrqBinding;
  /** Timer wake of every Dom0 VCPU (ns; 0 = none) and the cycles it runs. */
  dom0TimerNs: number;
  dom0TimerCycles: number;
  /** Most bytes one reader work item reads (several recv() calls) before yielding. */
  readChunkBytes: number;
}

/** Local actor indices of the SUT's network actors. */
export const SUT_ACTORS = { nic: 4096, bridge: 4097, netback: 4098, netfront: 4099, timers: 4100 } as const;

export interface SutCounters {
  nic: NicRx;
  /** One per guest (empty natively and for Dom0's own traffic). */
  netbacks: NetbackVif[];
  netfronts: NetfrontRx[];
  guests: Guests | null;
  stack: ReceiverStack;
  fdb: ForwardingDb;
  /** The domain each flow is received in. */
  domainOfFlow: string[];
  receivingDomains: string[];
  /** Frames the bridge flooded because the destination had aged out of its table. */
  bridgeFloods(): number;
  /** State the wiring keeps outside the components (reachable for checkpoints). */
  state: object;
}

export function buildSut(sim: Sim, host: XenHost, cfg: SutConfig, linkOut: LinkDirection): SutCounters {
  const c = cfg.costs;
  const id = (k: keyof typeof SUT_ACTORS) => host.localActorId(SUT_ACTORS[k]);
  const dom0 = host.domains[0]!;
  const dom0V = dom0.vcpus.map((x) => host.vcpus[x]!);
  const nicV = dom0V[cfg.binding.nicVcpu]!;
  // Guests are every domain after Dom0; flow f goes to guest f mod guests.
  const guestDoms = cfg.kind === 'domu' ? host.domains.slice(1) : [];
  const guestOf = (flow: number) => flow % Math.max(1, guestDoms.length);
  const recvDoms = cfg.kind === 'domu' ? guestDoms : [dom0];
  const domainOfFlow = Array.from({ length: cfg.flows }, (_, f) => recvDoms[cfg.kind === 'domu' ? guestOf(f) : 0]!.name);
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
  // MACs as (high 16, low 32) bits: the stressor's NIC behind the physical port, guest g's vif on port 1 + g.
  const STRESSOR_MAC = [0x0016, 0x3e000001] as const;
  const guestMacLo = (g: number) => 0xfe000001 + g;
  const PHYS_PORT = 0;
  const bridgeState = { floods: 0 };
  for (let g = 0; g < Math.max(1, guestDoms.length); g++) fdb.learn(0x00ff, guestMacLo(g), 1 + g, 0);
  /** br_handle_frame: learn the source, look up the destination (one lookup per run of a flow). */
  const forward = (runs: readonly Run[]) => {
    for (const r of runs) {
      if (fdb.learn(STRESSOR_MAC[0], STRESSOR_MAC[1], PHYS_PORT, sim.nowNs)) bridgeActor.send({ type: 'LEARNED' });
      const g = guestOf(r.flow);
      if (fdb.lookup(0x00ff, guestMacLo(g), sim.nowNs) === null) {
        bridgeState.floods++; // aged out: flooded to every port until the guest's next frame re-teaches it
        fdb.learn(0x00ff, guestMacLo(g), 1 + g, sim.nowNs);
      }
    }
  };

  const sendToWire = (acks: AckOut[]) => {
    if (acks.length > 0) nic.transmitted();
    for (const a of acks) {
      const msg: AcksMsg = { type: 'ACKS', flow: a.flow, batches: ackTriples(a.decision), rwndSegs: a.decision.rwndSegs };
      if (a.decision.sack && a.decision.sack.length > 0) msg.sack = a.decision.sack;
      linkOut.send(a.decision.ackPackets, DEFAULT_FRAMES.ackWireBytes, msg);
    }
  };

  // ACKs the stack sends outside a receive (delayed-ACK timer, window updates): queued for a CPU.
  let timerAcks: (acks: AckOut[]) => void = () => {};
  const stack = new ReceiverStack(sim, cfg.flows, cfg.tcp, id('timers'), (acks) => timerAcks(acks));

  /** PCPU of the last NIC poll (where the received data was last touched natively and in Dom0). */
  const pollState = { pcpu: nicV.processor };
  // Reader threads: natively and in Dom0 on the cores other than the NIC's; in guests on their VCPUs.
  const readerSets: { v: VcpuRt; flows: number[]; guest: number }[] = [];
  if (cfg.kind === 'domu') {
    guestDoms.forEach((d, g) => {
      const vs = d.vcpus.map((x) => host.vcpus[x]!);
      const mine = [...Array(cfg.flows).keys()].filter((f) => guestOf(f) === g);
      vs.forEach((v, i) => readerSets.push({ v, guest: g, flows: mine.filter((_, k) => k % vs.length === i) }));
    });
  } else {
    const rv = dom0V.length > 1 ? dom0V.filter((v) => v !== nicV) : dom0V;
    rv.forEach((v, i) => readerSets.push({ v, guest: 0, flows: [...Array(cfg.flows).keys()].filter((f) => f % rv.length === i) }));
  }
  const readers: ReaderSource[] = [];
  // sk_data_ready wakes the reader threads that have data waiting.
  const readersWake = (guest: number, waker: VcpuRt | null) => {
    readerSets.forEach((r, i) => {
      if (r.guest === guest && readers[i]?.pending()) host.notify(r.v.id, waker?.id ?? null);
    });
  };
  const nic = new NicRx(id('nic'), sim, cfg.nic, () => host.notify(nicV.id, null));
  sim.register(nic);
  nicV.guest.addSource(nic.irqHandler(c.eventChannelCycles));

  let guests: Guests | null = null;
  const ackQueueOfFlow: AckQueue[] = [];
  /** Natively and in Dom0: segments handed to the waiting reader (tcp_prequeue), per flow. */
  const prequeue: Run[][] = Array.from({ length: cfg.flows }, () => []);
  if (cfg.kind !== 'domu') {
    // The NIC's CPU runs the driver and IP (and, in Dom0, the bridge and netloop);
    // TCP receive runs in the reader's context (tcp_prequeue: 2.6.18 hands the
    // segment to the task waiting in recvmsg), which also sends the ACKs — and
    // in Dom0 those ACKs cross netloop and the bridge on the reader's CPU.
    const ackParts = (p: number): WorkPart[] => [
      { component: 'stack_tx', cycles: p * c.stackTxCyclesPerPacket, packets: p },
      ...(cfg.kind === 'dom0' ? [{ component: 'netloop', cycles: p * c.netloopCyclesPerPacket, packets: p }] : []),
      ...(bridgeCycles ? [{ component: bridgeName, cycles: p * bridgeCycles, packets: p }] : []),
      { component: 'nic_tx', cycles: p * c.nicTxCyclesPerPacket, packets: p },
    ];
    const nicAcks = new AckQueue('ack-tx', ackParts, sendToWire);
    nicV.guest.addSource(nicAcks);
    timerAcks = (acks) => {
      nicAcks.add(acks);
      host.notify(nicV.id, null);
    };
    const netRx = new NetRxAction(cfg.netdevBudget);
    nicV.guest.addSource(netRx);
    netRx.add(nic.device(
      (n) => [
        { component: 'nic_rx', cycles: n * c.nicRxCyclesPerPacket, packets: n },
        ...(bridgeCycles ? [{ component: bridgeName, cycles: n * bridgeCycles, packets: n }] : []),
        ...(cfg.kind === 'dom0' ? [{ component: 'netloop', cycles: n * c.netloopCyclesPerPacket, packets: n }] : []),
        { component: 'ip_rx', cycles: n * c.ipRxCyclesPerPacket, packets: n },
      ],
      (runs, ctx) => {
        if (bridgeCycles) forward(runs);
        pollState.pcpu = ctx.pcpu;
        for (const r of runs) prequeue[r.flow]!.push(r);
        for (const r of readerSets) if (r.flows.some((f) => prequeue[f]!.length > 0)) host.notify(r.v.id, nicV.id);
      },
    ));
    for (const r of readerSets) {
      if (r.flows.length === 0) continue;
      const q = new AckQueue('ack-tx', ackParts, sendToWire);
      r.v.guest.addSource(q);
      for (const f of r.flows) ackQueueOfFlow[f] = q;
      r.v.guest.addSource(prequeueSource(r.flows, q));
    }
  } else {
    // Dom0: NIC poll + bridge, then dev_queue_xmit to the vifs.
    const guestV = guestDoms.map((d) => host.vcpus[d.vcpus[0]!]!);
    // Each Dom0 VCPU's NET_RX: the NIC's poll (on its IRQ's VCPU) first, then the backlog.
    const netRx = new Map(dom0V.map((v) => [v, new NetRxAction(cfg.netdevBudget)] as const));
    const gsNic = { deliver: (_runs: Run[]) => {} };
    netRx.get(nicV)!.add(nic.device(
      (n) => [
        { component: 'nic_rx', cycles: n * c.nicRxCyclesPerPacket, packets: n },
        { component: bridgeName, cycles: n * bridgeCycles, packets: n },
      ],
      (runs) => gsNic.deliver(runs),
    ));
    for (const [v, rx] of netRx) v.guest.addSource(rx);
    guests = wireGuests({
      sim, host, dom0V, vifEvtchnV: cfg.binding.vifVcpus.map((i) => dom0V[i]!), guestV, costs: c, bridgeCycles, bridgeName,
      netbackCfg: cfg.netback, netfrontCfg: cfg.netfront, netdevBudget: cfg.netdevBudget, netdevMaxBacklog: cfg.netdevMaxBacklog,
      dom0NetRx: (v) => netRx.get(v)!, backlogWeight: cfg.nic.weightPackets,
      stack, guestOf, sendToWire, readersWake: (g) => readersWake(g, guestV[g]!),
      actorIdOf: (kind, g) => host.localActorId((kind === 'netback' ? SUT_ACTORS.netback : SUT_ACTORS.netfront) + (g === 0 ? 0 : 64 + 2 * g)),
    });
    const gs = guests;
    gsNic.deliver = (runs) => {
      forward(runs);
      gs.xmit(runs, nicV);
    };
    for (let f = 0; f < cfg.flows; f++) ackQueueOfFlow[f] = gs.ackQueues[guestOf(f)]!;
    timerAcks = (acks) => {
      for (const a of acks) {
        ackQueueOfFlow[a.flow]!.add([a]);
        host.notify(guestV[guestOf(a.flow)]!.id, null);
      }
    };
  }

  // iperf reader threads, one source per VCPU for its flows.
  readerSets.forEach(({ v, flows, guest }) => {
    const src = new ReaderSource(stack, flows, {
      recvBytes: cfg.recvBytes,
      chunkBytes: cfg.readChunkBytes,
      readSyscallCycles: c.readSyscallCycles,
      copyCyclesPerByte: c.copyToUserCyclesPerByte,
      factor: (p, q) => cacheFactor(c, topo.distance(p, q)),
      // The data was last written by the grant copy (guests) or the NIC poll's CPU.
      producerPcpu: () => (cfg.kind === 'domu' ? guests!.netfronts[guest]!.producerPcpu : pollState.pcpu),
    }, (ack) => {
      ackQueueOfFlow[ack.flow]!.add([ack]);
      host.notify(v.id, null);
    });
    readers.push(src);
    if (flows.length > 0) v.guest.addSource(src);
  });

  /** tcp_prequeue processing in the reader's context: TCP receive; its ACKs go out through `acks` on the same CPU. */
  function prequeueSource(flows: number[], acks: AckQueue): WorkSource<Run[]> {
    return softirqSource(
      'tcp-prequeue',
      SOFTIRQ.BLOCK,
      () => flows.some((f) => prequeue[f]!.length > 0),
      (ctx) => {
        const runs: Run[] = [];
        for (const f of flows) runs.push(...prequeue[f]!.splice(0));
        let n = 0;
        for (const r of runs) n += r.count;
        const f = cacheFactor(c, topo.distance(pollState.pcpu, ctx.pcpu));
        return { parts: [{ component: 'stack_rx', cycles: n * c.stackRxCyclesPerPacket * f, packets: n }], data: runs };
      },
      (runs, d) => acks.add(stack.deliver(runs, d.nowNs)),
    );
  }

  // Guest timer ticks: each Dom0 VCPU wakes for its next Linux timer (phase drawn per VCPU).
  const timers: Every[] = [];
  if (cfg.kind !== 'linux' && cfg.dom0TimerNs > 0) {
    dom0V.forEach((v, i) => {
      const q = new BurstQueue('timer', 'guest_timer', cfg.dom0TimerCycles, () => {}, SOFTIRQ.TIMER);
      v.guest.addSource(q);
      const timerId = host.localActorId(SUT_ACTORS.timers + 8 + i);
      const rng = sim.rng(timerId);
      const fire = () => {
        q.bursts = 1;
        host.notify(v.id, null);
      };
      timers.push(new Every(sim, timerId, cfg.dom0TimerNs, fire, 1 + rng.int(cfg.dom0TimerNs)));
    });
  }

  return {
    nic,
    netbacks: guests?.netbacks ?? [],
    netfronts: guests?.netfronts ?? [],
    guests,
    stack,
    fdb,
    domainOfFlow,
    receivingDomains: recvDoms.map((d) => d.name),
    bridgeFloods: () => bridgeState.floods,
    state: { prequeue, pollState, bridgeState, timers, bridgeActor, readers },
  };
}
