// `net.fleet` → the fleet's worker configuration: racks of hosts from
// templates, links and switches, the flow table; host and link lists for
// placement; cross-field checks that name the field.
import { minLinkDelayNs } from '../net/fleet/wire.ts';
import { copyBytesRatio, frameSizes } from '../net/frames.ts';
import { fleetHostCount, type FleetConfig, type FleetHostParams, type FleetHostSpec, type LinkSpec } from '../net/fleet/config.ts';
import { checkCapAccounting, checkCreditOnly, domainCreditSettings } from './creditOnly.ts';
import { netbackConfig, vifRingConfig } from './vifRingConfig.ts';
import { ScenarioError } from './errors.ts';
import { tcpReceiverOptions } from './tcpReceiverConfig.ts';
import type { FleetSection } from './fleetSchema.ts';
import { planTraffic } from './fleetTraffic.ts';
import type { Scenario } from './model.ts';
import { netSection, type NetSection } from './netSchema.ts';
import { defaultPlacement } from './xenScenario.ts';

/** Most Xen hosts, and DomUs, one fleet may have. */
export const MAX_FLEET_HOSTS = 1024;
export const MAX_FLEET_DOMUS = 16_384;
/** Guests per host: the local actor ids of a host leave room for 64 (and so do Xen's event channels for netback). */
export const MAX_DOMUS_PER_HOST = 64;

const bitsPerSec = (gbps: number) => gbps * 1e9;

interface Layout {
  hosts: FleetHostSpec[];
  racks: { name: string; hosts: number[] }[];
}

/** Racks and hosts from templates and counts (no flows: cheap, for host counts and links). */
function layout(f: FleetSection, file: string, policy: 'credit' | 'sedf' = 'credit'): Layout {
  const hosts: FleetHostSpec[] = [];
  const racks: Layout['racks'] = [];
  let domus = 0;
  f.topology.racks.forEach((rg, ri) => {
    for (let rc = 0; rc < rg.count; rc++) {
      const rack = racks.length;
      if (rack >= 256) throw new ScenarioError(file, `net.fleet.topology.racks.${ri}.count`, 'at most 256 racks');
      const mine: number[] = [];
      rg.hosts.forEach((hg, hi) => {
        const at = `net.fleet.topology.racks.${ri}.hosts.${hi}`;
        const ht = Object.prototype.hasOwnProperty.call(f.hostTemplates, hg.template) ? f.hostTemplates[hg.template] : undefined;
        if (!ht) throw new ScenarioError(file, `${at}.template`, `no host template ${JSON.stringify(hg.template)} ${knownNames(f.hostTemplates, 'net.fleet.hostTemplates')}`);
        const guests = hg.domus.flatMap((dg, di) => {
          const dt = Object.prototype.hasOwnProperty.call(f.domuTemplates, dg.template) ? f.domuTemplates[dg.template] : undefined;
          if (!dt) throw new ScenarioError(file, `${at}.domus.${di}.template`, `no DomU template ${JSON.stringify(dg.template)} ${knownNames(f.domuTemplates, 'net.fleet.domuTemplates')}`);
          return Array.from({ length: dg.count }, () => ({ vcpus: dt.vcpus, weight: dt.weight, cap: dt.cap }));
        });
        if (guests.length > MAX_DOMUS_PER_HOST) throw new ScenarioError(file, `${at}.domus`, `${guests.length} DomUs on one host; at most ${MAX_DOMUS_PER_HOST}`);
        for (let k = 0; k < hg.count; k++) {
          if (hosts.length >= MAX_FLEET_HOSTS) throw new ScenarioError(file, `${at}.count`, `more than ${MAX_FLEET_HOSTS} hosts in the fleet`);
          domus += guests.length;
          if (domus > MAX_FLEET_DOMUS) throw new ScenarioError(file, `${at}.count`, `more than ${MAX_FLEET_DOMUS} DomUs in the fleet`);
          const t = ht.topology;
          const pcpus = t.sockets * t.l2PerSocket * t.coresPerL2;
          const placement = defaultPlacement([{ vcpus: ht.dom0.vcpus } as never, ...guests.map((g) => ({ vcpus: g.vcpus }) as never)], pcpus, policy);
          hosts.push({ name: `r${rack}h${mine.length}`, rack, port: mine.length, topology: t, dom0: { ...ht.dom0 }, domus: guests, placement });
          mine.push(hosts.length - 1);
        }
      });
      racks.push({ name: `rack${rack}`, hosts: mine });
    }
  });
  return { hosts, racks };
}

/** Link latencies, raised to sync.minLookaheadNs when a scenario asks for a longer lookahead (reported in results). */
function latencies(f: FleetSection, sc: Scenario): { host: number; uplink: number } {
  const min = sc.sync.minLookaheadNs;
  return { host: Math.max(f.links.host.latency, min), uplink: Math.max(f.links.uplinkLatency, min) };
}

function uplinks(f: FleetSection, l: Layout, latencyNs: number): LinkSpec[] | null {
  if (l.racks.length < 2) return null;
  return l.racks.map((r) => ({ rateBitsPerSec: (r.hosts.length * bitsPerSec(f.links.host.rateGbps)) / f.links.oversubscription, latencyNs }));
}

/** "(known: a, b)", or where to define one when there are none. */
function knownNames(templates: Record<string, unknown>, where: string): string {
  const names = Object.keys(templates);
  return names.length ? `(known: ${names.join(', ')})` : `(none is defined: add one under ${where})`;
}

function params(n: NetSection, file: string): FleetHostParams {
  return {
    scheduler: {
      policy: n.scheduler.policy,
      credit: { tickNs: n.scheduler.tick, ticksPerSlice: n.scheduler.ticksPerSlice, ticksPerAcct: n.scheduler.ticksPerAcct, creditsPerTick: n.scheduler.creditsPerTick },
      cacheAware: n.scheduler.cacheAware,
      creditSteal: n.scheduler.creditSteal,
      ioThreshold: n.scheduler.ioThreshold,
    },
    contextSwitchCycles: n.contextSwitchCycles,
    costs: { ...n.costs, copyBytesRatio: copyBytesRatio(n.mssBytes) },
    nic: { ringSlots: n.nic.ringSlots, irqDelayNs: n.nic.irqDelay, irqMinIntervalNs: n.nic.irqMinInterval, weightPackets: n.nic.weight, txIrqDelayNs: n.nic.txIrqDelay },
    netback: netbackConfig(n, file),
    netfront: vifRingConfig(n, file),
    netdevBudget: n.netdev.budget,
    netdevMaxBacklog: n.netdev.maxBacklog,
    bridge: n.bridge,
    irqBinding: n.dom0.irqBinding,
    nicIrqVcpu: n.dom0.nicIrqVcpu ?? 0,
    dom0TimerNs: n.dom0.idleTimer,
    dom0TimerCycles: n.dom0.idleTimerCycles,
    recvBytes: n.recvSize,
    readChunkBytes: n.readChunkBytes,
    stack: {
      mssBytes: n.mssBytes,
      sender: {
        mssBytes: n.mssBytes, initialCwndSegs: n.tcp.initialCwndSegs, congestion: n.tcp.congestion, rtoMinNs: n.tcp.rtoMin, slowStartAfterIdle: n.tcp.slowStartAfterIdle,
        fack: n.tcp.fack, reordering: n.tcp.reordering, granularityNs: Math.round(1e9 / n.tcp.hz),
        // Connections are set up before the run: the SYN exchange's RTT sample (a LAN RTT counts as one jiffy).
        handshakeRttNs: Math.round(1e9 / n.tcp.hz),
      },
      receiver: tcpReceiverOptions(n),
      wmemDefaultBytes: n.tcp.wmemDefault,
      wmemMaxBytes: n.tcp.wmemMax,
    },
    // 2.6.18: ether_setup's tx_queue_len 1000 (the guest's eth0, Dom0's peth0); netif.h NET_TX_RING_SIZE 256;
    // netfront_tx_slot_available keeps MAX_SKB_FRAGS + 2 = 20 slots; net_tx_action takes requests while
    // NR_PENDING_REQS + MAX_SKB_FRAGS < MAX_PENDING_REQS (256): at most 238 pending; netif_be_int schedules
    // net_tx_action only below MAX_PENDING_REQS/2 (maybe_schedule_tx_action).
    txqueuelen: 1000,
    txRingSlots: 256,
    txReserveSlots: 20,
    maxPendingReqs: 256,
    maxSkbFrags: 18,
  };
}

/**
 * A switch buffer must hold at least one full data frame, or every data frame through it would be dropped.
 * A shared buffer's dynamic threshold lets a port queue at most alpha × the free buffer: even an empty
 * buffer must let one frame in (alpha × bytes), or the switch drops every data frame just the same.
 */
function switchBuffer<B extends { bytes: number; alpha?: number }>(b: B, mssBytes: number, field: string, file: string): B {
  const frame = frameSizes(mssBytes).dataBufferBytes;
  if (b.bytes < frame) throw new ScenarioError(file, `${field}.bytes`, `${b.bytes} bytes hold no full data frame (${frame} bytes at net.mssBytes ${mssBytes})`);
  if (b.alpha !== undefined && b.alpha * b.bytes < frame) {
    throw new ScenarioError(file, `${field}.alpha`, `alpha ${b.alpha} × ${b.bytes} bytes lets a port queue ${Math.floor(b.alpha * b.bytes)} bytes of an empty buffer: no full data frame (${frame} bytes at net.mssBytes ${mssBytes}) would ever be admitted`);
  }
  return b;
}

/** Settings of `net` that a fleet does not use; set explicitly, they are a mistake worth naming. */
function checkUnused(n: NetSection, file: string): void {
  if (n.pairs !== 1) throw new ScenarioError(file, 'net.pairs', 'not used with net.fleet (the fleet sets the hosts)');
  if (n.guests !== 1) throw new ScenarioError(file, 'net.guests', 'not used with net.fleet (DomUs come from net.fleet.topology)');
  if (n.sut !== 'domu') throw new ScenarioError(file, 'net.sut', 'a fleet runs DomUs (sut: domu)');
  if (n.dom0.vifEvtchnVcpus) throw new ScenarioError(file, 'net.dom0.vifEvtchnVcpus', 'not used with net.fleet (use net.dom0.irqBinding)');
  for (const [field, v, unset] of [['dom0.weight', n.dom0.weight, 256], ['dom0.cap', n.dom0.cap, 0], ['domu.weight', n.domu.weight, 256], ['domu.cap', n.domu.cap, 0], ['domu.vcpus', n.domu.vcpus, 1]] as const) {
    if (v !== unset) throw new ScenarioError(file, `net.${field}`, `not used with net.fleet (a fleet's domains come from net.fleet.${field.startsWith('dom0') ? 'hostTemplates.<name>.dom0' : 'domuTemplates.<name>'})`);
  }
  if (n.optimizations.length > 0) throw new ScenarioError(file, 'net.optimizations', 'not used with net.fleet (set net.scheduler, net.bridge, net.netback.txqueuelen)');
  // The paper model's own settings: a fleet takes these from its templates, links and traffic, and would
  // ignore them silently. (net.stressor is not checked: the shared calibration file sets it for every run.)
  const d = netSection.parse({});
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const unused: [string, unknown, unknown, string][] = [
    ['phases', n.phases, d.phases, 'set net.fleet.traffic.<i>.phases'],
    ['flows', n.flows, d.flows, 'set net.fleet.traffic.<i>.flows'],
    ['link', n.link, d.link, 'set net.fleet.links'],
    ['topology', n.topology, d.topology, 'set net.fleet.hostTemplates.<name>.topology'],
    ['dom0.vcpus', n.dom0.vcpus, d.dom0.vcpus, 'set net.fleet.hostTemplates.<name>.dom0.vcpus'],
    ['dom0.pin', n.dom0.pin, d.dom0.pin, 'a fleet host\'s Dom0 VCPUs are not pinned'],
    ['domu.placement', n.domu.placement, d.domu.placement, 'a fleet DomU\'s VCPUs take Xen\'s placement'],
    ['bridgeAgeing', n.bridgeAgeing, d.bridgeAgeing, 'a fleet\'s bridge has no forwarding database to age: destinations come from the flow table'],
    ['optDTxqueuelen', n.optDTxqueuelen, d.optDTxqueuelen, 'set net.netback.txqueuelen'],
  ];
  for (const [field, v, unset, instead] of unused) {
    if (!same(v, unset)) throw new ScenarioError(file, `net.${field}`, `not used with net.fleet (${instead})`);
  }
}

const cache = new WeakMap<Scenario, FleetConfig>();

export function fleetConfig(sc: Scenario, file = sc.name): FleetConfig {
  const hit = cache.get(sc);
  if (hit) return hit;
  const n = sc.net as NetSection;
  const f = n.fleet!;
  checkUnused(n, file);
  for (const [name, ht] of Object.entries(f.hostTemplates)) checkCreditOnly(file, n.scheduler.policy, domainCreditSettings(`net.fleet.hostTemplates.${name}.dom0`, ht.dom0));
  for (const [name, dt] of Object.entries(f.domuTemplates)) checkCreditOnly(file, n.scheduler.policy, domainCreditSettings(`net.fleet.domuTemplates.${name}`, dt));
  checkCapAccounting(file, 'net.scheduler', n.scheduler, [
    ...Object.entries(f.hostTemplates).flatMap(([name, ht]) => domainCreditSettings(`net.fleet.hostTemplates.${name}.dom0`, ht.dom0)),
    ...Object.entries(f.domuTemplates).flatMap(([name, dt]) => domainCreditSettings(`net.fleet.domuTemplates.${name}`, dt)),
  ]);
  const l = layout(f, file, n.scheduler.policy);
  if (n.dom0.nicIrqVcpu !== undefined) {
    const small = l.hosts.find((h) => h.dom0.vcpus <= n.dom0.nicIrqVcpu!);
    if (small) throw new ScenarioError(file, 'net.dom0.nicIrqVcpu', `Dom0 of ${small.name} has only ${small.dom0.vcpus} VCPUs`);
  }
  const traffic = planTraffic(l.hosts, l.racks.map((r) => r.hosts), f.traffic, sc.seed, n.mssBytes, n.messageSize, file);
  const cfg: FleetConfig = {
    params: params(n, file),
    hosts: l.hosts,
    racks: l.racks,
    hostLink: { rateBitsPerSec: bitsPerSec(f.links.host.rateGbps), latencyNs: latencies(f, sc).host },
    uplinks: uplinks(f, l, latencies(f, sc).uplink),
    tor: { forwardingLatencyNs: f.tor.forwardingLatency, buffer: switchBuffer(f.tor.buffer, n.mssBytes, 'net.fleet.tor.buffer', file) },
    aggregation: l.racks.length > 1 ? { forwardingLatencyNs: f.aggregation.forwardingLatency, buffer: switchBuffer(f.aggregation.buffer, n.mssBytes, 'net.fleet.aggregation.buffer', file) } : null,
    flows: traffic.flows,
    apps: traffic.apps,
    groups: traffic.groups,
    perDomUMetrics: f.metrics.perDomU,
    frames: frameSizes(n.mssBytes),
    sampleNs: f.metrics.sampleEvery,
  };
  cache.set(sc, cfg);
  return cfg;
}

/** Host count without building flows. */
export function fleetHostTotal(sc: Scenario, file = sc.name): number {
  const f = (sc.net as NetSection).fleet!;
  const l = layout(f, file);
  return l.hosts.length + l.racks.length + (l.racks.length > 1 ? 1 : 0);
}

/** Links [a, b, smallest delay of a frame between them in either direction] (the partitions' lookahead). */
export function fleetLinks(sc: Scenario): [number, number, number][] {
  const f = (sc.net as NetSection).fleet!;
  const l = layout(f, sc.name);
  const nHosts = l.hosts.length;
  const hostRate = bitsPerSec(f.links.host.rateGbps);
  const lat = latencies(f, sc);
  const out: [number, number, number][] = [];
  // Host → ToR: the NIC's serialization and latency; ToR → host adds the forwarding latency.
  l.hosts.forEach((h, i) => out.push([nHosts + h.rack, i, minLinkDelayNs(hostRate, lat.host)]));
  const up = uplinks(f, l, lat.uplink);
  if (up) {
    const agg = nHosts + l.racks.length;
    const fwd = Math.min(f.tor.forwardingLatency, f.aggregation.forwardingLatency);
    up.forEach((u, r) => out.push([nHosts + r, agg, fwd + minLinkDelayNs(u.rateBitsPerSec, u.latencyNs)]));
  }
  return out;
}

/**
 * Hosts to partitions, balanced by DomU count and rack-aligned: whole racks
 * in contiguous blocks while there are at least as many racks as partitions
 * (cross-partition traffic then crosses only ToR–aggregation links); with
 * fewer racks, each rack gets partitions in proportion to its DomUs and is
 * split at host boundaries. A ToR goes with its rack's first host, the
 * aggregation switch with partition 0.
 */
export function fleetPlacement(sc: Scenario, partitions: number): { hostPartition: number[]; reason: string } {
  const f = (sc.net as NetSection).fleet!;
  const l = layout(f, sc.name);
  const nHosts = l.hosts.length;
  const weight = (h: number) => Math.max(1, l.hosts[h]!.domus.length);
  const rackWeight = l.racks.map((r) => r.hosts.reduce((a, h) => a + weight(h), 0));
  const total = rackWeight.reduce((a, x) => a + x, 0);
  const place = new Array<number>(fleetHostCountOf(l)).fill(0);
  let reason: (used: number) => string;
  if (l.racks.length >= partitions) {
    let before = 0;
    l.racks.forEach((r, ri) => {
      const part = blockOf(before, rackWeight[ri]!, total, partitions);
      for (const h of r.hosts) place[h] = part;
      place[nHosts + ri] = part;
      before += rackWeight[ri]!;
    });
    reason = (used) => `fleet: ${l.racks.length} racks over ${used} partitions, whole racks balanced by DomU count (cross-partition traffic crosses the aggregation links)`;
  } else {
    // Partitions per rack in proportion to its DomUs, at least one each.
    const share = l.racks.map((_, ri) => Math.max(1, Math.floor((rackWeight[ri]! * partitions) / total)));
    // "At least one" can make more than `partitions` in all (a light rack next to a heavy one): take them back from the largest.
    while (share.reduce((a, x) => a + x, 0) > partitions) {
      const big = share.indexOf(Math.max(...share));
      share[big]!--;
    }
    for (let ri = 0; share.reduce((a, x) => a + x, 0) < partitions; ri = (ri + 1) % share.length) share[ri]!++;
    let first = 0;
    l.racks.forEach((r, ri) => {
      const k = Math.min(share[ri]!, r.hosts.length);
      let before = 0;
      for (const h of r.hosts) {
        place[h] = first + blockOf(before, weight(h), rackWeight[ri]!, k);
        before += weight(h);
      }
      place[nHosts + ri] = place[r.hosts[0]!]!;
      first += k;
    });
    reason = (used) => `fleet: ${l.racks.length} rack${l.racks.length === 1 ? '' : 's'} of ${nHosts} hosts split at host boundaries over ${used} partitions, balanced by DomU count (cross-partition traffic crosses host–ToR links)`;
  }
  // Never an empty partition: number the used ones 0..k-1 (and say how many there are, not how many were asked for).
  const used = [...new Set(place)].sort((a, b) => a - b);
  const renum = new Map(used.map((u, i) => [u, i]));
  return { hostPartition: place.map((x) => renum.get(x)!), reason: reason(used.length) };
}

/**
 * Does a split pay? A window must hold enough work to pay for its barrier (a
 * fleet's events grow with its DomUs, a window lasts the lookahead of the
 * links cut), and the run enough in all to pay for a second worker's start
 * (its thread, its modules, its compiler warming up: a second or two of CPU).
 */
export function fleetSplitWontPay(sc: Scenario, lookaheadNs: number): string | null {
  const l = layout((sc.net as NetSection).fleet!, sc.name);
  const domus = l.hosts.reduce((a, h) => a + Math.max(1, h.domus.length), 0);
  const domuUs = (domus * lookaheadNs) / 1000;
  const domuS = (domus * sc.durationNs) / 1e9;
  const keep = '(--partition-by hosts splits anyway)';
  if (domuUs < FLEET_SPLIT_MIN_DOMU_US) {
    return `fleet: ${domus} DomUs × a ${Number((lookaheadNs / 1000).toPrecision(4))} µs lookahead = ${Math.round(domuUs)} DomU·µs of work per window (< ${FLEET_SPLIT_MIN_DOMU_US}): the barrier would cost more than a split saves, so one partition ${keep}`;
  }
  if (domuS < FLEET_SPLIT_MIN_DOMU_S) {
    return `fleet: ${domus} DomUs × ${Number((sc.durationNs / 1e9).toPrecision(4))} s = ${Number(domuS.toPrecision(3))} DomU·s in all (< ${FLEET_SPLIT_MIN_DOMU_S}): too short a run to pay for a second worker's start, so one partition ${keep}`;
  }
  return null;
}

/**
 * Below this many DomU·s in the whole run (DomUs × duration) a fleet is not
 * split in auto mode. Measured on 2 vCPUs, dc-1024 split on 2 workers against
 * 1, same sitting: 40 ms (41 DomU·s) 0.82–0.88×, 80 ms (82) 0.96×, 120 ms
 * (123) 1.20×.
 */
export const FLEET_SPLIT_MIN_DOMU_S = 100;

/**
 * Below this many DomU·µs per window (DomUs × lookahead) a fleet is not split
 * in auto mode. A speed rule only: results never depend on the split.
 * Measured on 2 vCPUs, 2 workers (split) against 1, same sitting: rack-16x16
 * (256 DomUs × 2.072 µs = 530) 0.66–0.75×; two racks of 16 × 16 (512 ×
 * 3.018 µs = 1545) 0.65–0.76×; dc-1024 (1024 × 3.018 µs = 3091) 1.11–1.43×.
 */
export const FLEET_SPLIT_MIN_DOMU_US = 2500;

/** The block (of `parts` equal shares of `total`) in which an item of weight w starting at `before` has its middle. */
function blockOf(before: number, w: number, total: number, parts: number): number {
  return Math.min(parts - 1, Math.floor(((before + w / 2) * parts) / total + 1e-9));
}

function fleetHostCountOf(l: Layout): number {
  return l.hosts.length + l.racks.length + (l.racks.length > 1 ? 1 : 0);
}

export { fleetHostCount };
