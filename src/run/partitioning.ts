// How one run is split over worker threads (issue 13: "more workers is never
// slower"). Hosts are the unit of placement; hosts joined by a link shorter
// than PAYOFF_LINK_NS stay in one partition, because a split across such a
// link synchronises every few microseconds of virtual time and the barrier
// costs more than the work of the window (the paper's stressor and SUT talk
// over 2 µs). Groups of hosts are then placed in contiguous blocks, so the
// independent stressor→SUT pairs of `net.pairs` split pair-aligned. The plan
// changes only speed and the `threads` facts of the result, never the result:
// event order does not depend on placement.
import { assignHosts } from '../kernel/runner.ts';
import type { Scenario } from '../scenario/model.ts';
import { MODELS } from '../scenario/registry.ts';

/** Links below this latency are never cut by a partition boundary (auto mode). */
export const PAYOFF_LINK_NS = 50_000;

/**
 * `auto`: only where a split pays (above); `hosts`: any host boundary, as
 * many partitions as workers allow (to exercise the partitioned kernel).
 */
export type PartitionMode = 'auto' | 'hosts';

export interface PartitionPlan {
  partitions: number;
  /** Host index → partition index. */
  hostPartition: number[];
  /** Shortest latency between hosts in different partitions (Infinity: none talk). */
  lookaheadNs: number;
  /** Why this many partitions, for the result's `threads.reason`. */
  reason: string;
}

interface Link {
  a: number;
  b: number;
  ns: number;
}

/** The model's host-to-host links; without a list every pair of hosts may talk at the model's lookahead. */
function linksOf(sc: Scenario): Link[] | null {
  const adapter = MODELS[sc.model]!;
  const listed = adapter.links?.(sc);
  if (!listed) return null;
  return listed.map(([a, b, ns]) => ({ a, b, ns: Math.max(ns, sc.sync.minLookaheadNs) }));
}

function lookaheadOf(sc: Scenario, links: Link[] | null, place: number[]): number {
  let l: number;
  if (links) {
    l = Infinity;
    for (const k of links) if (place[k.a] !== place[k.b]) l = Math.min(l, k.ns);
  } else {
    l = MODELS[sc.model]!.lookaheadNs(sc);
  }
  return Math.max(l, sc.sync.minLookaheadNs);
}

/** Groups of hosts that must share a partition: connected by links below `minNs`. Ordered by first host. */
function hostGroups(hosts: number, links: Link[], minNs: number): number[][] {
  const parent = Array.from({ length: hosts }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (const k of links) {
    if (k.ns >= minNs) continue;
    const ra = find(k.a);
    const rb = find(k.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const byRoot = new Map<number, number[]>();
  for (let h = 0; h < hosts; h++) {
    const r = find(h);
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = []));
    g.push(h);
  }
  return [...byRoot.values()];
}

/**
 * Place groups (in order) into `p` contiguous blocks of about equal host
 * counts. Groups made of consecutive hosts (the models' case) keep hosts in
 * contiguous blocks too.
 */
function placeGroups(hosts: number, groups: number[][], p: number): number[] {
  const place = new Array<number>(hosts).fill(0);
  let before = 0;
  for (const g of groups) {
    // The block a group's middle host falls into, as assignHosts does for single hosts.
    const part = Math.min(p - 1, Math.floor(((before + (g.length - 1) / 2) * p) / hosts + 1e-9));
    for (const h of g) place[h] = part;
    before += g.length;
  }
  // Never an empty partition: renumber the used ones 0..k-1.
  const used = [...new Set(place)].sort((x, y) => x - y);
  const renum = new Map(used.map((u, i) => [u, i]));
  return place.map((x) => renum.get(x)!);
}

/** 2000 → "2 µs", 1500000 → "1.5 ms". */
function fmt(ns: number): string {
  const [v, u] = ns >= 1e9 ? [ns / 1e9, 's'] : ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'µs'] : [ns, 'ns'];
  return `${Number(v.toPrecision(4))} ${u}`;
}

const hostsWord = (n: number) => `${n} host${n === 1 ? '' : 's'}`;

/** The partitions one run uses with at most `workers` threads. */
export function planPartitions(sc: Scenario, workers: number, mode: PartitionMode = 'auto'): PartitionPlan {
  const adapter = MODELS[sc.model]!;
  const hosts = adapter.hostCount(sc);
  const links = linksOf(sc);
  const single = (reason: string): PartitionPlan => {
    const hostPartition = new Array<number>(hosts).fill(0);
    return { partitions: 1, hostPartition, lookaheadNs: lookaheadOf(sc, links, hostPartition), reason };
  };
  if (workers <= 1) return single('one worker');
  if (hosts <= 1) return single('one host');

  // A model that places its own hosts (fleets: whole racks, balanced by DomUs) is followed;
  // in auto mode only where the model says the split pays.
  if (adapter.placement) {
    // More partitions may cut shorter links (a fleet splits its racks once there are more partitions than
    // racks): where that would not pay, fewer partitions may (whole racks), so try them before one.
    let wontPayFewest: string | null = null;
    for (let want = Math.min(workers, hosts); want >= 2; want--) {
      const own = adapter.placement(sc, want);
      if (!own) break;
      const partitions = Math.max(...own.hostPartition) + 1;
      const lookaheadNs = lookaheadOf(sc, links, own.hostPartition);
      if (partitions === 1) return wontPayFewest ? single(wontPayFewest) : { partitions, hostPartition: own.hostPartition, lookaheadNs, reason: own.reason };
      const wontPay = mode === 'auto' ? adapter.splitWontPay?.(sc, lookaheadNs) : null;
      if (!wontPay) return { partitions, hostPartition: own.hostPartition, lookaheadNs, reason: `${own.reason}${mode === 'hosts' ? ' (partition-by hosts)' : ''}; lookahead ${fmt(lookaheadNs)}` };
      wontPayFewest = wontPay;
    }
    if (wontPayFewest) return single(wontPayFewest);
  }

  if (mode === 'hosts') {
    const p = Math.min(workers, hosts);
    const hostPartition = assignHosts(hosts, p);
    return { partitions: p, hostPartition, lookaheadNs: lookaheadOf(sc, links, hostPartition), reason: `split at host boundaries (partition-by hosts): ${hostsWord(hosts)} over ${p} partitions` };
  }

  // Without a link list every pair of hosts may exchange messages at the model's lookahead.
  const modelLookahead = Math.max(adapter.lookaheadNs(sc), sc.sync.minLookaheadNs);
  if (!links && modelLookahead < PAYOFF_LINK_NS) {
    return single(`hosts exchange messages with ${fmt(modelLookahead)} latency (< ${fmt(PAYOFF_LINK_NS)}): a split would synchronise every ${fmt(modelLookahead)} of virtual time`);
  }
  const groups = links ? hostGroups(hosts, links, PAYOFF_LINK_NS) : Array.from({ length: hosts }, (_, h) => [h]);
  if (groups.length === 1) {
    const shortest = Math.min(...links!.map((k) => k.ns));
    return single(`${hosts === 2 ? 'the 2 hosts are' : `all ${hosts} hosts are`} joined by links of ${fmt(shortest)} (< ${fmt(PAYOFF_LINK_NS)}): a split would synchronise every ${fmt(shortest)} of virtual time`);
  }
  const p = Math.min(workers, groups.length);
  const hostPartition = placeGroups(hosts, groups, p);
  const partitions = Math.max(...hostPartition) + 1;
  const grouped = groups.length < hosts ? `${groups.length} groups of hosts (links below ${fmt(PAYOFF_LINK_NS)} stay inside a partition; ${hosts} hosts)` : hostsWord(hosts);
  return {
    partitions,
    hostPartition,
    lookaheadNs: lookaheadOf(sc, links, hostPartition),
    reason: `${grouped} over ${partitions} partition${partitions === 1 ? '' : 's'}`,
  };
}
