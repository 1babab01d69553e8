// The "xen" model: hosts built from a scenario — topology, domains, VCPUs,
// a scheduler policy and synthetic workloads — and their per-host results.
import type { MetricDef } from '../kernel/metricSink.ts';
import { measuredSpanNs, type BuildOptions, type HostInstance } from '../kernel/model.ts';
import type { Sim } from '../kernel/sim.ts';
import { NET_ACTOR_BASE } from './actorLayout.ts';
import { XenHost, type XenHostSpec } from './host.ts';
import { xenMetricDefs } from './metricsDefs.ts';
import { makePolicy, type SchedulerSpec } from './sched/index.ts';
import { summarizeHost, type XenHostResult } from './results.ts';
import { attachWorkload, type WorkloadSpec } from './workloads.ts';
import { metricsSampler, Once } from '../kernel/timers.ts';

export interface XenHostConfig extends XenHostSpec {
  scheduler: SchedulerSpec;
  workloads: { domain: string; spec: WorkloadSpec }[];
}

export interface XenModelConfig {
  hosts: XenHostConfig[];
  warmupNs: number;
  durationNs: number;
  /** Virtual time between samples of gauges (run queues, credit). */
  sampleNs: number;
}

export const metricDefs: readonly MetricDef[] = xenMetricDefs;

export function buildHost(sim: Sim, cfg: XenModelConfig, hostIndex: number, opts: BuildOptions): HostInstance {
  const hc = cfg.hosts[hostIndex]!;
  const host = new XenHost(sim, hostIndex, hc, makePolicy(hc.scheduler), opts);
  // `base`: what had completed when the warm-up ended; results count the measured window, as every other field.
  // A workload's timers (one per VCPU) take ids from 4096 on, each domain after the last: 64 per domain ran
  // past the host's 2^20 ids at its 16,320th domain (a RangeError, exit 1). Their order is the same either way.
  let timerBase = NET_ACTOR_BASE;
  const vcpusOf = new Map(hc.domains.map((d) => [d.name, d.vcpus]));
  const counters = hc.workloads.map((w) => {
    const at = timerBase;
    timerBase += vcpusOf.get(w.domain)!;
    return { domain: w.domain, kind: w.spec.kind, c: attachWorkload(sim, host, w.domain, w.spec, at), base: 0 };
  });
  const sampler = metricsSampler(sim, host.localActorId(NET_ACTOR_BASE - 3), cfg.sampleNs, () => host.sampleGauges());
  const warmup =
    cfg.warmupNs > 0
      ? new Once(sim, host.localActorId(NET_ACTOR_BASE - 2), cfg.warmupNs, () => {
          host.resetStats();
          for (const k of counters) k.base = k.c.completed();
        })
      : null;
  return {
    persist: () => [host, counters, sampler, warmup],
    metricsHost: hc.name,
    collect: (endNs) => {
      host.finish(endNs);
      const span = measuredSpanNs(endNs, cfg.warmupNs);
      const r: XenHostResult = summarizeHost(host, span);
      // Of the busy time itself: summed, the domains' rounded shares passed the host's PCPUs × 100% (100.012 on
      // one busy PCPU shared by 400 domains). The network model keeps summarizeHost's sum (the paper's numbers).
      r.coreUtilPct = Math.round((100_000 * host.stats.dom.reduce((a, d) => a + d.cpuNs, 0)) / span) / 1000;
      r.workloads = counters.map((c) => ({ domain: c.domain, kind: c.kind, completed: c.c.completed() - c.base }));
      sampler.pushAtEnd(endNs);
      return r;
    },
    traceEvents: () => host.trace?.events ?? [],
    xstateEvents: () => host.xstateEvents(),
  };
}
