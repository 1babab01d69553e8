// Builds one Xen host of a fleet: Dom0 (NIC, bridge, netback in both
// directions) and its DomUs (netfront, TCP, applications) on the host's
// scheduler, its link to the rack's ToR, traffic phases, samplers and results.
import { actorId, measuredSpanNs, type BuildOptions, type HostInstance } from '../../kernel/model.ts';
import type { Sim } from '../../kernel/sim.ts';
import { Every, metricsSampler, Once } from '../../kernel/timers.ts';
import { NET_ACTOR_BASE } from '../../xen/actorLayout.ts';
import { XenHost, type DomainSpec, type XenHostSpec } from '../../xen/host.ts';
import { makePolicy } from '../../xen/sched/index.ts';
import { SEDF_INIT_DOM0, SEDF_INIT_OTHER } from '../../xen/sched/sedf.ts';
import { BurstQueue } from '../../xen/workloads.ts';
import { SOFTIRQ } from '../../xen/work.ts';
import { scaled } from '../costs.ts';
import { PhaseCycler } from '../phases.ts';
import { receivingGuests, torHostIndex, type FleetConfig } from './config.ts';
import { FleetDom0 } from './dom0Fleet.ts';
import { FleetNic } from './fleetNic.ts';
import { FleetStats } from './fleetStats.ts';
import { buildGuestNet, type FleetGuest } from './guestNet.ts';
import { WireLink } from './wire.ts';

/** Local actor indices of a fleet host's network actors (PCPUs and VCPUs come first, see xen/host.ts). */
export const FLEET_ACTORS = {
  nic: NET_ACTOR_BASE,
  sampler: NET_ACTOR_BASE + 1,
  warmup: NET_ACTOR_BASE + 2,
  /** + pattern index. */
  phases: NET_ACTOR_BASE + 16,
  /** + Dom0 VCPU index. */
  dom0Timers: NET_ACTOR_BASE + 256,
  /** + 4 × guest: its vif's netback and netfront machines, its TCP timers. */
  guests: 2 * NET_ACTOR_BASE,
} as const;

export function buildFleetHost(sim: Sim, cfg: FleetConfig, warmupNs: number, hostIndex: number, opts: BuildOptions): HostInstance {
  const spec = cfg.hosts[hostIndex]!;
  const p = cfg.params;
  const c = p.costs;
  const domains: DomainSpec[] = [
    { name: 'dom0', ...spec.dom0, affinity: spec.placement[0]!.map(() => null), placement: spec.placement[0]!, sedf: SEDF_INIT_DOM0 },
    ...spec.domus.map((d, g) => ({ name: `domu${g}`, ...d, affinity: spec.placement[g + 1]!.map(() => null), placement: spec.placement[g + 1]!, sedf: SEDF_INIT_OTHER })),
  ];
  const xenSpec: XenHostSpec = { name: spec.name, topology: spec.topology, costs: { contextSwitchCycles: p.contextSwitchCycles }, domains };
  const host = new XenHost(sim, hostIndex, xenSpec, makePolicy(p.scheduler), { ...opts, guestsMetricLabel: cfg.perDomUMetrics ? null : 'domU' });
  const local = (k: number) => host.localActorId(k);
  const dom0V = host.domains[0]!.vcpus.map((x) => host.vcpus[x]!);
  const nicV = dom0V[Math.min(p.nicIrqVcpu, dom0V.length - 1)]!;
  const vifV = spec.domus.map((_, g) => dom0V[p.irqBinding === 'irqbalance' && dom0V.length > 1 ? (p.nicIrqVcpu + 1 + g) % dom0V.length : 0]!);

  const nic = new FleetNic(local(FLEET_ACTORS.nic), sim, p.nic, () => host.notify(nicV.id, null));
  sim.register(nic);
  nicV.guest.addSource(nic.irqHandler(c.eventChannelCycles));
  const link = new WireLink(sim, nic.id, actorId(torHostIndex(cfg, spec.rack), 0), cfg.hostLink.rateBitsPerSec, cfg.hostLink.latencyNs, p.txqueuelen, cfg.frames);

  const guests: FleetGuest[] = [];
  const dom0Ref: { d: FleetDom0 | null } = { d: null };
  spec.domus.forEach((_, g) => {
    const base = FLEET_ACTORS.guests + 4 * g;
    guests.push(buildGuestNet({
      sim, host, fleet: cfg, hostIndex, guest: g, dom: host.domains[g + 1]!, costs: c,
      netback: p.netback, netfront: p.netfront, netdevBudget: p.netdevBudget,
      txqueuelen: p.txqueuelen, txRingSlots: p.txRingSlots, txReserveSlots: p.txReserveSlots,
      recvBytes: p.recvBytes, readChunkBytes: p.readChunkBytes, stack: p.stack,
      actorIds: { netback: local(base), netfront: local(base + 1), timers: local(base + 2) },
      dom0: {
        txRequests: (gi, from) => dom0Ref.d!.guestNotify(gi, from),
        rxBuffers: (gi, from) => dom0Ref.d!.guestNotify(gi, from),
        timeoutWake: (gi) => dom0Ref.d!.timeoutWake(gi),
      },
    }));
  });
  const bridgeCycles = scaled(c, p.bridge === 'simple' ? c.simpleBridgeCyclesPerPacket : c.bridgeCyclesPerPacket);
  const dom0 = new FleetDom0({
    sim, host, fleet: cfg, hostIndex, costs: c, dom0V, nicV, vifEvtchnV: vifV, guests, nic, link,
    bridgeCycles, bridgeName: p.bridge === 'simple' ? 'simple_bridge' : 'bridge',
    netdevBudget: p.netdevBudget, netdevMaxBacklog: p.netdevMaxBacklog, backlogWeight: p.nic.weightPackets,
    maxPendingReqs: p.maxPendingReqs, maxSkbFrags: p.maxSkbFrags, vifConfig: p.netback,
  });
  dom0Ref.d = dom0;

  // Dom0's VCPUs wake for their Linux timer (HZ=100, NO_IDLE_HZ), phases drawn per VCPU.
  const timers: Every[] = [];
  if (p.dom0TimerNs > 0) {
    dom0V.forEach((v, i) => {
      const q = new BurstQueue('timer', 'guest_timer', p.dom0TimerCycles, () => {}, SOFTIRQ.TIMER);
      v.guest.addSource(q);
      const id = local(FLEET_ACTORS.dom0Timers + i);
      const rng = sim.rng(id);
      timers.push(new Every(sim, id, p.dom0TimerNs, () => {
        q.bursts = 1;
        host.notify(v.id, null);
      }, 1 + rng.int(p.dom0TimerNs)));
    });
  }

  const phases = cfg.apps.map((a, i) =>
    new PhaseCycler(sim, local(FLEET_ACTORS.phases + i), a.phases, (ph) => {
      for (const g of guests) g.stack.setAppPhase(i, ph.active, ph.messageBytes);
    }),
  );

  const receiving = receivingGuests(cfg, hostIndex);
  const stats = new FleetStats(sim, host, { dom0, nic, link, guests }, spec.rack, hostIndex, cfg.perDomUMetrics, guests.map((_, g) => receiving.has(g)));
  const sampler = metricsSampler(sim, local(FLEET_ACTORS.sampler), cfg.sampleNs, (last) => {
    host.sampleGauges();
    // No goodput observation for the part of a sample interval left at the end: it is not an interval's goodput.
    stats.sample(!last);
  });
  const warmup = warmupNs > 0
    ? new Once(sim, local(FLEET_ACTORS.warmup), warmupNs, () => {
        host.resetStats(() => stats.pushResetCounters());
        stats.reset();
      })
    : null;

  return {
    persist: () => [host, nic, link, guests, dom0, timers, phases, stats, sampler, warmup],
    metricsHost: spec.name,
    collect: (endNs) => {
      host.finish(endNs);
      const r = stats.result(measuredSpanNs(endNs, warmupNs));
      sampler.pushAtEnd(endNs);
      return r;
    },
    traceEvents: () => host.trace?.events ?? [],
    xstateEvents: () => host.xstateEvents() + nic.machine.xstateEvents + guests.reduce((a, g) => a + g.vif.machine.xstateEvents + g.front.machine.xstateEvents, 0),
  };
}
