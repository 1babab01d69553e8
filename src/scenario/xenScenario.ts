// Scenario section and result summary of the Xen host model (src/xen/model.ts).
import { z } from 'zod';
import type { RunOutput } from '../kernel/runner.ts';
import type { DomainSpec } from '../xen/host.ts';
import type { SedfParams } from '../xen/sched/policy.ts';
import { SEDF_INIT_DOM0, SEDF_INIT_OTHER, SEDF_PERIOD_MAX_NS, SEDF_PERIOD_MIN_NS, SEDF_SLICE_MIN_NS } from '../xen/sched/sedf.ts';
import { formatNs } from '../kernel/time.ts';
import type { XenHostConfig, XenModelConfig } from '../xen/model.ts';
import type { XenHostResult } from '../xen/results.ts';
import type { WorkloadSpec } from '../xen/workloads.ts';
import { cycleCpu } from '../xen/sched/cpuPick.ts';
import { checkCapAccounting, checkCreditOnly, domainCreditSettings, schedulerCreditSettings } from './creditOnly.ts';
import { ScenarioError } from './errors.ts';
import { durationNs } from './fields.ts';
import type { ModelAdapter, Scenario } from './model.ts';
import { xenHostSchema, type DomainSection, type XenHostSection } from './xenSchema.ts';

const xenSection = z
  .object({
    hosts: z.array(xenHostSchema).min(1),
    sampleEvery: durationNs.default('100ms').refine((ns) => ns >= 1_000_000, 'too short: at least 1ms (every sample walks every series)'),
  })
  .strict();

type XenSection = z.infer<typeof xenSection>;

/**
 * Where Xen 3.1 starts each VCPU. Dom0 VCPU i on PCPU i (domain_build.c).
 * Another domain's VCPU0 on default_vcpu0_location(): the least-populated
 * PCPU, the highest number on ties; its VCPU i on the PCPU after VCPU i-1's
 * (XEN_DOMCTL_max_vcpus). Under SEDF the guest's VCPU0 then moves once more as
 * it boots: time_init's VCPUOP_set_periodic_timer forces a reschedule
 * (vcpu_force_reschedule → vcpu_migrate), and sedf_pick_cpu answers the first
 * online PCPU of its affinity; SEDF never moves it again. (csched_cpu_pick
 * leaves it where it was on an otherwise idle host.) Explicit placements are
 * taken as they are. A VCPU whose PCPU is outside its pin moves as
 * vcpu_set_affinity moves it (vcpu_migrate → pick_cpu, see pinnedPick) before
 * the next domain is placed, so default_vcpu0_location counts it where it runs.
 */
export function defaultPlacement(domains: DomainSection[], pcpus: number, policy: 'credit' | 'sedf' = 'credit'): number[][] {
  const load = new Array(pcpus).fill(0);
  return domains.map((d, di) => {
    const out: number[] = [];
    for (let i = 0; i < d.vcpus; i++) {
      let p: number;
      if (d.placement) p = d.placement[i % d.placement.length]!;
      else if (di === 0) p = i % pcpus;
      else if (i > 0) p = (out[i - 1]! + 1) % pcpus;
      else {
        p = pcpus - 1;
        for (let c = pcpus - 1; c >= 0; c--) if (load[c] < load[p]) p = c;
      }
      out.push(p);
    }
    // SEDF's boot-time re-pick of a guest's VCPU0: sedf_pick_cpu, the first PCPU of its affinity.
    if (policy === 'sedf' && di > 0 && !d.placement && out.length > 0) out[0] = Math.min(...(affinityOf(d, 0) ?? [0]));
    for (let i = 0; i < out.length; i++) {
      const aff = affinityOf(d, i);
      if (aff && !aff.includes(out[i]!)) out[i] = pinnedPick(out[i]!, aff, pcpus, policy);
    }
    for (const p of out) load[p]++;
    return out;
  });
}

/**
 * Where vcpu_set_affinity (schedule.c) moves a VCPU whose PCPU is outside its new affinity: vcpu_migrate sets
 * v->processor to pick_cpu. sedf_pick_cpu: the first (lowest) online PCPU of the affinity. csched_cpu_pick: the
 * VCPU's own PCPU if allowed, else __cycle_cpu(v->processor, affinity) — the next allowed PCPU after it,
 * wrapping — from which its idle walk moves only to a package with strictly more idle cores, which a host with
 * every PCPU idle (as this static placement assumes) does not have. Not the first PCPU as listed: the lists
 * are sets (cpumask_t).
 */
export function pinnedPick(processor: number, affinity: readonly number[], pcpus: number, policy: 'credit' | 'sedf'): number {
  if (policy === 'sedf') return Math.min(...affinity);
  return cycleCpu(processor, pcpus, (p) => affinity.includes(p)) ?? processor;
}

function affinityOf(d: DomainSection, i: number): number[] | null {
  if (d.pin == null) return null;
  if (d.pin.length > 0 && Array.isArray(d.pin[0])) return (d.pin as number[][])[i % d.pin.length]!;
  return d.pin as number[];
}

export function hostConfig(h: XenHostSection, file: string, hostPath: string): XenHostConfig {
  const pcpus = h.topology.sockets * h.topology.l2PerSocket * h.topology.coresPerL2;
  // PCPUs named by pins and placements must exist before VCPUs are placed (and moved to their pins).
  h.domains.forEach((d, di) => {
    for (let i = 0; i < d.vcpus; i++) for (const p of affinityOf(d, i) ?? []) if (p >= pcpus) throw new ScenarioError(file, `${hostPath}.domains.${di}.pin`, `PCPU ${p} does not exist (host has ${pcpus})`);
    for (const p of d.placement ?? []) if (p >= pcpus) throw new ScenarioError(file, `${hostPath}.domains.${di}.placement`, `PCPU ${p} does not exist (host has ${pcpus})`);
  });
  const placement = defaultPlacement(h.domains, pcpus, h.scheduler.policy);
  const names = new Set<string>();
  checkCreditOnly(file, h.scheduler.policy, schedulerCreditSettings(`${hostPath}.scheduler`, h.scheduler));
  checkCapAccounting(file, `${hostPath}.scheduler`, h.scheduler, h.domains.flatMap((d, di) => domainCreditSettings(`${hostPath}.domains.${di}`, d)));
  const domains: DomainSpec[] = h.domains.map((d, di) => {
    const at = `${hostPath}.domains.${di}`;
    checkCreditOnly(file, h.scheduler.policy, domainCreditSettings(at, d));
    if (h.scheduler.policy === 'credit') {
      // The reverse of checkCreditOnly: xm sched-sedf on a credit host fails; a run would quietly ignore it.
      const set = (['period', 'slice', 'extratime'] as const).find((k) => d.sedf[k] !== undefined);
      if (set) throw new ScenarioError(file, `${at}.sedf.${set}`, `belongs to SEDF; the credit scheduler (scheduler policy credit, the default) schedules by weight and cap and would ignore it — leave it out, or set ${hostPath}.scheduler.policy: sedf`);
    }
    if (names.has(d.name)) throw new ScenarioError(file, `${at}.name`, `duplicate domain name ${d.name}`);
    names.add(d.name);
    const aff = Array.from({ length: d.vcpus }, (_, i) => affinityOf(d, i));
    if (d.workload.kind === 'ping-pong') {
      const peer = d.workload.peer;
      if (!h.domains.some((o) => o.name === peer)) throw new ScenarioError(file, `${at}.workload.peer`, `no domain named ${peer}`);
      // Its own peer, the pair's two queues sit on one VCPU and hand the burst to each other without a wake: a CPU hog, unsaid.
      if (peer === d.name) throw new ScenarioError(file, `${at}.workload.peer`, `the domain itself (${d.name}); a ping-pong wakes another domain's VCPU`);
    }
    return { name: d.name, weight: d.weight, cap: d.cap, vcpus: d.vcpus, affinity: aff, placement: placement[di]!, sedf: sedfParams(file, `${at}.sedf`, d.sedf, di === 0) };
  });
  const workloads = h.domains.map((d) => ({ domain: d.name, spec: workloadSpec(d, h) }));
  return {
    name: h.name,
    topology: h.topology,
    costs: { contextSwitchCycles: h.costs.contextSwitchCycles },
    domains,
    scheduler: {
      policy: h.scheduler.policy,
      credit: { tickNs: h.scheduler.tick, ticksPerSlice: h.scheduler.ticksPerSlice, ticksPerAcct: h.scheduler.ticksPerAcct, creditsPerTick: h.scheduler.creditsPerTick },
      cacheAware: h.scheduler.cacheAware,
      creditSteal: h.scheduler.creditSteal,
      ioThreshold: h.scheduler.ioThreshold,
    },
    workloads,
  };
}

function workloadSpec(d: DomainSection, h: XenHostSection): WorkloadSpec {
  const w = d.workload;
  switch (w.kind) {
    case 'idle':
      return { kind: 'idle' };
    case 'cpu-hog':
      return { kind: 'cpu-hog', chunkCycles: w.chunkCycles };
    case 'io-wake':
      return { kind: 'io-wake', intervalNs: w.interval, burstCycles: w.burstCycles };
    case 'ping-pong':
      return { kind: 'ping-pong', peer: w.peer, burstCycles: w.burstCycles, eventChannelCycles: h.costs.eventChannelCycles };
  }
}

export function xenConfig(sc: Scenario, file = sc.name): XenModelConfig {
  const x = sc.xen as XenSection;
  // A host's name is its `host` label: two hosts of one name would share every metric series (summed on one
  // partition, overwriting each other across partitions) and be told apart in the results by position only.
  const hostNames = new Set<string>();
  x.hosts.forEach((h, i) => {
    if (hostNames.has(h.name)) throw new ScenarioError(file, `xen.hosts.${i}.name`, `duplicate host name ${h.name} (a host's name labels its metric series; name each host, e.g. sut${i})`);
    hostNames.add(h.name);
  });
  return {
    hosts: x.hosts.map((h, i) => hostConfig(h, file, `xen.hosts.${i}`)),
    warmupNs: sc.warmupNs,
    durationNs: sc.durationNs,
    sampleNs: x.sampleEvery,
  };
}

export interface XenSummary {
  coreUtilPct: number;
  domains: { name: string; cpuPct: number }[];
  scheduler: { boosts: number; migrations: { sameL2: number; sameSocket: number; crossSocket: number }; contextSwitches: number };
  hosts: XenHostResult[];
}

export function summarizeXenHosts(hosts: XenHostResult[]): XenSummary {
  const all = hosts.flatMap((h) => h.domains.map((d) => ({ ...d, name: hosts.length > 1 ? `${h.host}/${d.name}` : d.name })));
  const mig = { sameL2: 0, sameSocket: 0, crossSocket: 0 };
  for (const d of all) {
    mig.sameL2 += d.migrations.sameL2;
    mig.sameSocket += d.migrations.sameSocket;
    mig.crossSocket += d.migrations.crossSocket;
  }
  return {
    // Rounded as each host's is (a float sum of three-decimal numbers reads 793.4849999999999).
    coreUtilPct: Math.round(hosts.reduce((s, h) => s + h.coreUtilPct, 0) * 1000) / 1000,
    domains: all.map((d) => ({ name: d.name, cpuPct: d.cpuPct })),
    scheduler: { boosts: all.reduce((s, d) => s + d.boosts, 0), migrations: mig, contextSwitches: all.reduce((s, d) => s + d.contextSwitches, 0) },
    hosts,
  };
}

export const xenAdapter: ModelAdapter = {
  name: 'xen',
  checkpointable: true,
  section: xenSection,
  hostCount: (sc) => (sc.xen as XenSection).hosts.length,
  // Hosts of the xen model exchange no messages: partitions never wait on each other.
  lookaheadNs: () => Infinity,
  metricPeriod: (sc) => ({ ns: (sc.xen as XenSection).sampleEvery, field: 'xen.sampleEvery' }),
  check: (sc, file) => void xenConfig(sc, file),
  workerConfig: (sc) => xenConfig(sc),
  summarize(_sc, out: RunOutput) {
    return { ...summarizeXenHosts(out.hosts.map((h) => h.result as XenHostResult)) };
  },
};

/**
 * A domain's SEDF parameters: sedf_init_vcpu's defaults (Dom0 20 ms / 15 ms; others 100 ms / 0,
 * extratime only; extra weight 1), or, when the scenario sets the period, the slice or extratime false, what `xm sched-sedf` with
 * those values gives: sedf_adjust checks the bounds and zeroes the extra weight, so the domain's L1
 * extra time goes by its utilisation. xend itself sets nothing when it creates a domain.
 */
function sedfParams(file: string, at: string, s: { period?: number; slice?: number; extratime?: boolean }, isDom0: boolean): SedfParams {
  const init = isDom0 ? SEDF_INIT_DOM0 : SEDF_INIT_OTHER;
  // extratime: true alone is the state a new domain starts in (and what 0.2.2's `validate --print` wrote).
  const adjusted = s.period !== undefined || s.slice !== undefined || s.extratime === false;
  if (!adjusted) return init;
  const periodNs = s.period ?? init.periodNs;
  const sliceNs = s.slice ?? init.sliceNs;
  if (periodNs < SEDF_PERIOD_MIN_NS || periodNs > SEDF_PERIOD_MAX_NS) throw new ScenarioError(file, `${at}.period`, `must be 10us–10s (sched_sedf.c PERIOD_MIN, PERIOD_MAX), got ${formatNs(periodNs)}`);
  if (sliceNs > periodNs) throw new ScenarioError(file, `${at}.slice`, 'slice must not exceed period');
  if (sliceNs < SEDF_SLICE_MIN_NS) {
    const why = s.slice === undefined ? ` (the default for a domain other than Dom0 is 0: setting period or extratime is an \`xm sched-sedf\`, which needs a slice)` : '';
    throw new ScenarioError(file, `${at}.slice`, `must be at least 5us (sched_sedf.c SLICE_MIN; sedf_adjust refuses less)${why}`);
  }
  return { periodNs, sliceNs, extratime: s.extratime ?? true, extraWeight: 0 };
}