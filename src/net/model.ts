// The "net" model: host 0 is the stressor (native Linux, iperf senders),
// host 1 the SUT (native Linux, or Xen with Dom0 and a DomU) joined by a
// 10 GbE link; bandwidth, CPU and drops come out of the path's costs, queues
// and the scheduler.
import type { MetricDef } from '../kernel/metricSink.ts';
import { actorId, measuredSpanNs, type BuildOptions, type HostInstance } from '../kernel/model.ts';
import type { Sim } from '../kernel/sim.ts';
import { XenHost } from '../xen/host.ts';
import { xenMetricDefs } from '../xen/metricsDefs.ts';
import type { XenHostConfig } from '../xen/model.ts';
import { summarizeHost } from '../xen/results.ts';
import { makePolicy } from '../xen/sched/index.ts';
import { LinkDirection } from './link.ts';
import { netMetricDefs } from './metricsDefs.ts';
import { NetStats, type SutNetResult } from './netStats.ts';
import { Stressor, type StressorConfig } from './stressor.ts';
import { buildSut, SUT_ACTORS, type SutConfig } from './sut.ts';
import { PhaseCycler, type TrafficPhase } from './phases.ts';
import { metricsSampler, Once } from '../kernel/timers.ts';
import type { FleetConfig } from './fleet/config.ts';
import { buildFleetHost } from './fleet/fleetHost.ts';
import { fleetMetricDefs } from './fleet/metricsDefs.ts';
import { buildSwitchHost } from './fleet/switchHost.ts';

export interface NetModelConfig {
  sutHost: XenHostConfig;
  sut: SutConfig;
  stressor: StressorConfig;
  link: { rateBitsPerSec: number; propagationNs: number };
  /** Independent stressor/SUT pairs (scale runs); 1 for the paper. */
  pairs: number;
  /** Traffic phases cycled over the run (empty: always on). */
  phases: TrafficPhase[];
  warmupNs: number;
  durationNs: number;
  sampleNs: number;
  /** A fleet of racks (net.fleet) instead of stressor→SUT pairs. */
  fleet?: FleetConfig;
}

/** Host 2i is pair i's stressor, host 2i+1 its SUT. */
export const stressorHost = (pair: number) => 2 * pair;
export const sutHost = (pair: number) => 2 * pair + 1;
const STRESSOR_NIC = 0;
const STRESSOR_TIMERS = 1;

export const metricDefs: readonly MetricDef[] = [...xenMetricDefs, ...netMetricDefs, ...fleetMetricDefs];

export function buildHost(sim: Sim, cfg: NetModelConfig, hostIndex: number, opts: BuildOptions): HostInstance {
  const f = cfg.fleet;
  if (f) return hostIndex < f.hosts.length ? buildFleetHost(sim, f, cfg.warmupNs, hostIndex, opts) : buildSwitchHost(sim, f, cfg.warmupNs, hostIndex);
  const pair = Math.floor(hostIndex / 2);
  return hostIndex % 2 === 0 ? buildStressor(sim, cfg, pair) : buildSutHost(sim, cfg, pair, opts);
}

function buildStressor(sim: Sim, cfg: NetModelConfig, pair: number): HostInstance {
  const STRESSOR_HOST = stressorHost(pair);
  const SUT_HOST = sutHost(pair);
  const nicId = actorId(STRESSOR_HOST, STRESSOR_NIC);
  const st = new Stressor(nicId, sim, cfg.stressor, actorId(STRESSOR_HOST, STRESSOR_TIMERS));
  st.link = new LinkDirection(sim, nicId, actorId(SUT_HOST, SUT_ACTORS.nic), cfg.link.rateBitsPerSec, cfg.link.propagationNs);
  sim.register(st);
  st.start();
  const phases = new PhaseCycler(sim, actorId(STRESSOR_HOST, 4), cfg.phases, (p) => {
    st.setActive(p.active);
    st.setMessageBytes(p.messageBytes);
  });
  const now = () => ({ ...st.stats(), coreBusyNs: st.coreBusyNsAt(sim.nowNs) });
  /** Counters at the end of warm-up, and as last sampled for metrics. */
  const acc = { base: { retransmits: 0, fastRetransmits: 0, sackRecoveries: 0, lostRetransmits: 0, localDrops: 0, timeouts: 0, segsSent: 0, rttSumNs: 0, rttSamples: 0, coreBusyNs: 0 }, lastRetx: 0, lastTimeouts: 0, lastRefusals: 0 };
  const warmup =
    cfg.warmupNs > 0
      ? new Once(sim, actorId(STRESSOR_HOST, 2), cfg.warmupNs, () => {
          acc.base = now();
          st.link.mark(sim.nowNs);
        })
      : null;
  const hostName = cfg.pairs > 1 ? `stressor${pair}` : 'stressor';
  const retxLabels = [hostName];
  sim.metrics.inc('vioemu_tcp_retransmits_total', retxLabels, 0);
  sim.metrics.inc('vioemu_tcp_timeouts_total', retxLabels, 0);
  sim.metrics.inc('vioemu_tcp_sender_queue_refusals_total', retxLabels, 0);
  const push = () => {
    const s = st.retransmitsAndTimeouts();
    sim.metrics.inc('vioemu_tcp_retransmits_total', retxLabels, s.retransmits - acc.lastRetx);
    sim.metrics.inc('vioemu_tcp_timeouts_total', retxLabels, s.timeouts - acc.lastTimeouts);
    sim.metrics.inc('vioemu_tcp_sender_queue_refusals_total', retxLabels, s.refusals - acc.lastRefusals);
    acc.lastRetx = s.retransmits;
    acc.lastTimeouts = s.timeouts;
    acc.lastRefusals = s.refusals;
  };
  const sampler = metricsSampler(sim, actorId(STRESSOR_HOST, 3), cfg.sampleNs, push);
  return {
    persist: () => [st, phases, acc, warmup, sampler],
    metricsHost: hostName,
    collect: (endNs) => {
      const n = now();
      const base = acc.base;
      const measuredNs = measuredSpanNs(endNs, cfg.warmupNs);
      sampler.pushAtEnd(endNs);
      return {
        role: 'stressor',
        pair,
        retransmits: n.retransmits - base.retransmits,
        fastRetransmits: n.fastRetransmits - base.fastRetransmits,
        sackRecoveries: n.sackRecoveries - base.sackRecoveries,
        lostRetransmits: n.lostRetransmits - base.lostRetransmits,
        localDrops: n.localDrops - base.localDrops,
        rttMeanUs: Math.round((n.rttSumNs - base.rttSumNs) / Math.max(1, n.rttSamples - base.rttSamples) / 100) / 10,
        timeouts: n.timeouts - base.timeouts,
        segsSent: n.segsSent - base.segsSent,
        txCorePct: (100 * (n.coreBusyNs - base.coreBusyNs)) / measuredNs,
        linkUtilPct: 100 * st.link.utilization(endNs),
      };
    },
  };
}

function buildSutHost(sim: Sim, cfg: NetModelConfig, pair: number, opts: BuildOptions): HostInstance {
  const STRESSOR_HOST = stressorHost(pair);
  const SUT_HOST = sutHost(pair);
  const spec = cfg.pairs > 1 ? { ...cfg.sutHost, name: `${cfg.sutHost.name}${pair}` } : cfg.sutHost;
  const host = new XenHost(sim, SUT_HOST, spec, makePolicy(cfg.sutHost.scheduler), opts);
  const linkOut = new LinkDirection(sim, host.localActorId(SUT_ACTORS.nic), actorId(STRESSOR_HOST, STRESSOR_NIC), cfg.link.rateBitsPerSec, cfg.link.propagationNs);
  const parts = buildSut(sim, host, cfg.sut, linkOut);
  const stats = new NetStats(sim, host, parts, spec.name);
  const sampler = metricsSampler(sim, host.localActorId(SUT_ACTORS.timers + 1), cfg.sampleNs, () => {
    host.sampleGauges();
    stats.sample();
  });
  const warmup =
    cfg.warmupNs > 0
      ? new Once(sim, host.localActorId(SUT_ACTORS.timers + 2), cfg.warmupNs, () => {
          host.resetStats(() => stats.pushComponents());
          stats.reset();
        })
      : null;
  return {
    persist: () => [host, linkOut, parts, stats, sampler, warmup],
    metricsHost: spec.name,
    collect: (endNs) => {
      host.finish(endNs);
      const measuredNs = measuredSpanNs(endNs, cfg.warmupNs);
      const r: SutNetResult = { ...stats.result(measuredNs, summarizeHost(host, measuredNs)), pair };
      sampler.pushAtEnd(endNs);
      return r;
    },
    traceEvents: () => host.trace?.events ?? [],
    xstateEvents: () => host.xstateEvents() + stats.xstateEvents(),
  };
}
