// Per-host result of the xen model: utilization per domain and PCPU,
// scheduler counters, wake latency, cycles per component.
import type { XenHost } from './host.ts';
import type { DomainStats } from './hostStats.ts';

export interface XenHostResult {
  host: string;
  scheduler: string;
  measuredSeconds: number;
  /** Sum over PCPUs, 100% = one core busy. */
  coreUtilPct: number;
  pcpuBusyPct: number[];
  domains: {
    name: string;
    cpuPct: number;
    contextSwitches: number;
    wakeups: number;
    boosts: number;
    /** Credit Opt B (credit stealing) handed this domain's I/O VCPUs from its idle ones, while measured. */
    creditStolen: number;
    migrations: DomainStats['migrations'];
    wakeLatency: { count: number; within100usPct: number; meanUs: number; p50Us: number; p99Us: number; maxUs: number };
    vcpuCpuPct: number[];
    /** PCPU each VCPU is on (or last ran on) at the end. */
    vcpuPcpu: number[];
    /** Per VCPU: cycles per component (rounded), the stages that VCPU ran. */
    vcpuCycles: Record<string, number>[];
    /** Per VCPU: wake-to-run latency (wakeups, mean and p99 in µs). */
    vcpuWakeLatency: { count: number; meanUs: number; p99Us: number }[];
  }[];
  components: { name: string; cycles: number; packets: number; cyclesPerPacket: number | null }[];
  workloads?: { domain: string; kind: string; completed: number }[];
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * The q-quantile as its log2 bucket's upper edge (µs), never above the largest latency seen. The last bucket
 * (hostStats: index 39) also takes every latency above 2^39 ns (≈ 550 s): it has no upper edge, so a quantile
 * there is the largest latency seen, not 2^39 ns (a VCPU kept waiting longer was reported as waiting 550 s).
 */
function quantileUs(log2Buckets: number[], count: number, q: number, maxNs: number): number {
  if (count === 0) return 0;
  const maxUs = round(maxNs / 1000);
  const last = log2Buckets.length - 1;
  let acc = 0;
  for (let i = 0; i < last; i++) {
    acc += log2Buckets[i]!;
    if (acc >= q * count) return Math.min(2 ** i / 1000, maxUs);
  }
  return maxUs;
}

export function summarizeHost(host: XenHost, measuredNs: number): XenHostResult {
  const st = host.stats;
  const pct = (ns: number) => round((100 * ns) / measuredNs);
  const domains = host.domains.map((d) => {
    const s = st.dom[d.id]!;
    const w = s.wakeLatency;
    return {
      name: d.name,
      cpuPct: pct(s.cpuNs),
      contextSwitches: s.contextSwitches,
      wakeups: s.wakeups,
      boosts: s.boosts,
      creditStolen: (host.policy.creditStolenBy?.(d.id) ?? 0) - (host.creditStolenBeforeMeasure[d.id] ?? 0),
      migrations: { ...s.migrations },
      wakeLatency: {
        count: w.count,
        within100usPct: w.count ? round((100 * w.within100us) / w.count) : 0,
        meanUs: w.count ? round(w.sumNs / w.count / 1000) : 0,
        // Quantiles are log2 bucket upper edges: never above the largest latency seen.
        p50Us: quantileUs(w.log2Buckets, w.count, 0.5, w.maxNs),
        p99Us: quantileUs(w.log2Buckets, w.count, 0.99, w.maxNs),
        maxUs: round(w.maxNs / 1000),
      },
      vcpuCpuPct: d.vcpus.map((v) => pct(st.vcpuRunNs[v]!)),
      vcpuPcpu: d.vcpus.map((v) => host.vcpus[v]!.processor),
      vcpuCycles: d.vcpus.map((v) => Object.fromEntries([...st.vcpuComponents(v).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, c]) => [k, Math.round(c.cycles)]))),
      vcpuWakeLatency: d.vcpus.map((v) => {
        const vw = st.vcpuWake[v]!;
        // A log2 bucket's upper edge, never above the largest latency seen (as the domain's quantiles).
        return { count: vw.count, meanUs: vw.count ? round(vw.sumNs / vw.count / 1000) : 0, p99Us: quantileUs(vw.log2Buckets, vw.count, 0.99, vw.maxNs) };
      }),
    };
  });
  return {
    host: host.spec.name,
    scheduler: host.policy.name,
    measuredSeconds: measuredNs / 1e9,
    coreUtilPct: round(domains.reduce((a, d) => a + d.cpuPct, 0)),
    pcpuBusyPct: st.pcpuBusyNs.map(pct),
    domains,
    components: [...st.components.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([name, c]) => ({ name, cycles: Math.round(c.cycles), packets: c.packets, cyclesPerPacket: c.packets ? round(c.cycles / c.packets, 1) : null })),
  };
}
