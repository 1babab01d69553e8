// A fleet run's result fields: goodput per DomU as a distribution (p1, p50,
// p99, Jain's fairness index), Dom0 utilization per host, drops per switch
// port and per host queue, TCP timeouts, request latency percentiles.
import type { RunOutput } from '../kernel/runner.ts';
import { receivingGuests, type FleetConfig } from '../net/fleet/config.ts';
import type { FleetHostResult } from '../net/fleet/fleetStats.ts';
import { percentilesNs } from '../net/fleet/latencyHistogram.ts';
import type { SwitchResult } from '../net/fleet/switchHost.ts';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile of sorted values. */
function pct(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Jain's fairness index: (Σx)² / (n Σx²); 1 when all are equal, 1/n when one gets everything. */
export function jainIndex(xs: readonly number[]): number {
  let s = 0;
  let s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  return xs.length === 0 || s2 === 0 ? 1 : (s * s) / (xs.length * s2);
}

export function summarizeFleet(cfg: FleetConfig, out: RunOutput) {
  const hosts = out.hosts.map((h) => h.result as FleetHostResult).filter((r) => r?.role === 'fleet-host');
  const switches = out.hosts.map((h) => h.result as SwitchResult).filter((r) => r?.role === 'switch');
  if (hosts.length === 0) return {};
  // DomUs that receive some flow: the population whose goodput should be fair.
  const t = cfg.flows;
  const gbps: number[] = [];
  let totalBytes = 0;
  for (const h of hosts) {
    const receives = receivingGuests(cfg, h.host);
    h.domuGoodputBytes.forEach((b, g) => {
      totalBytes += b;
      if (receives.has(g)) gbps.push((8 * b) / h.measuredNs);
    });
  }
  const measuredNs = hosts[0]!.measuredNs;
  const sorted = [...gbps].sort((a, b) => a - b);
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  const busiest = hosts.map((h) => Math.max(...h.dom0VcpuPct));
  const lat = percentilesNs(hosts.map((h) => h.requests.latencySparse), [0.5, 0.9, 0.99, 0.999]);
  const rounds = sum(hosts, (h) => h.incast.rounds);
  const switchDrops = sum(switches, (s) => sum(s.ports, (p) => p.dropFrames));
  return {
    fleet: {
      racks: cfg.racks.length,
      hosts: cfg.hosts.length,
      domus: sum(cfg.hosts, (h) => h.domus.length),
      flows: t.count,
    },
    throughputGbps: r3((8 * totalBytes) / measuredNs),
    goodput: {
      receivingDomUs: gbps.length,
      domuGbps: { min: r3(sorted[0] ?? 0), p1: r3(pct(sorted, 0.01)), p50: r3(pct(sorted, 0.5)), p99: r3(pct(sorted, 0.99)), max: r3(sorted.at(-1) ?? 0), mean: r3(sum(gbps, (x) => x) / Math.max(1, gbps.length)) },
      jainIndex: r3(jainIndex(gbps)),
    },
    dom0: {
      cpuPctMean: r3(sum(hosts, (h) => h.dom0CpuPct) / hosts.length),
      cpuPctMax: r3(Math.max(...hosts.map((h) => h.dom0CpuPct))),
      busiestVcpuPctMean: r3(sum(busiest, (x) => x) / hosts.length),
      busiestVcpuPctMax: r3(Math.max(...busiest)),
      perHost: hosts.map((h) => ({ host: h.name, cpuPct: h.dom0CpuPct, vcpuPct: h.dom0VcpuPct })),
    },
    // Per DomU (a host's DomUs share one figure: their CPU in all, divided by how many there are).
    domuCpuPctMean: r3(sum(hosts, (h) => h.domuCpuPct) / Math.max(1, sum(cfg.hosts, (h) => h.domus.length))),
    domuCpuPctPerHostMean: r3(sum(hosts, (h) => h.domuCpuPct) / hosts.length),
    coreUtilPctMean: r3(sum(hosts, (h) => h.coreUtilPct) / hosts.length),
    drops: {
      switch: switchDrops,
      nicRing: sum(hosts, (h) => h.drops.nic_ring),
      nicTxq: sum(hosts, (h) => h.drops.nic_txq),
      netbackQueue: sum(hosts, (h) => h.drops.netback_txq),
      backlog: sum(hosts, (h) => h.drops.backlog),
      guestTxq: sum(hosts, (h) => h.drops.guest_txq),
    },
    tcp: {
      timeouts: sum(hosts, (h) => h.tcp.timeouts),
      retransmits: sum(hosts, (h) => h.tcp.retransmits),
      segmentsSent: sum(hosts, (h) => h.tcp.segmentsSent),
    },
    packets: { wire: sum(hosts, (h) => h.packets.wire), local: sum(hosts, (h) => h.packets.local), nicRx: sum(hosts, (h) => h.packets.nicRx) },
    requests: {
      completed: sum(hosts, (h) => h.requests.done),
      latencyUs: { p50: us(lat[0]!), p90: us(lat[1]!), p99: us(lat[2]!), p999: us(lat[3]!) },
    },
    incast: {
      rounds,
      meanRoundMs: rounds > 0 ? r3(sum(hosts, (h) => h.incast.roundNs) / rounds / 1e6) : null,
    },
    switches: switches.map((s) => ({ name: s.name, kind: s.kind, congestionEpisodes: s.congestionEpisodes, congestedPct: s.congestedPct, drops: sum(s.ports, (p) => p.dropFrames), ports: s.ports })),
  };
}

const us = (ns: number | null) => (ns === null ? null : r3(ns / 1e3));
