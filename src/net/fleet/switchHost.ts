// A switch as a host of the run (the unit of placement): a rack's ToR — one
// port per host of the rack, plus the uplink when racks are joined — or the
// aggregation switch — one port per rack. Its results and metrics per port.
import { actorId, measuredSpanNs, type HostInstance } from '../../kernel/model.ts';
import type { Sim } from '../../kernel/sim.ts';
import { metricsSampler, Once } from '../../kernel/timers.ts';
import { FLEET_ACTORS } from './fleetHost.ts';
import { aggHostIndex, torHostIndex, type FleetConfig } from './config.ts';
import { SwitchNode, type SwitchNodeSpec } from './switchNode.ts';

export interface SwitchPortResult {
  port: string;
  dropFrames: number;
  txBytes: number;
  txGbps: number;
  maxQueueBytes: number;
  meanQueueBytes: number;
}

export interface SwitchResult {
  role: 'switch';
  name: string;
  kind: 'tor' | 'aggregation';
  rack: number | null;
  congestionEpisodes: number;
  congestedPct: number;
  ports: SwitchPortResult[];
}

/** The switch's name (its `host` label). */
export function switchName(cfg: FleetConfig, hostIndex: number): string {
  return hostIndex === aggHostIndex(cfg) && cfg.aggregation ? 'agg' : `tor${hostIndex - cfg.hosts.length}`;
}

function spec(cfg: FleetConfig, hostIndex: number): { node: SwitchNodeSpec; portNames: string[]; rack: number | null } {
  const nHosts = cfg.hosts.length;
  const portOfHost = new Int32Array(nHosts);
  if (cfg.aggregation && hostIndex === aggHostIndex(cfg)) {
    const up = cfg.uplinks!;
    cfg.hosts.forEach((h, i) => (portOfHost[i] = h.rack));
    return {
      node: {
        name: 'agg',
        ports: cfg.racks.map((_, r) => ({ nextHop: actorId(torHostIndex(cfg, r), 0), rateBitsPerSec: up[r]!.rateBitsPerSec, latencyNs: up[r]!.latencyNs })),
        forwardingLatencyNs: cfg.aggregation.forwardingLatencyNs,
        buffer: cfg.aggregation.buffer,
        portOfHost,
      },
      portNames: cfg.racks.map((r) => r.name),
      rack: null,
    };
  }
  const rack = hostIndex - nHosts;
  const mine = cfg.racks[rack]!.hosts;
  const uplink = mine.length;
  cfg.hosts.forEach((h, i) => (portOfHost[i] = h.rack === rack ? h.port : uplink));
  const ports = mine.map((h) => ({ nextHop: actorId(h, FLEET_ACTORS.nic), rateBitsPerSec: cfg.hostLink.rateBitsPerSec, latencyNs: cfg.hostLink.latencyNs }));
  const names = mine.map((h) => cfg.hosts[h]!.name);
  if (cfg.uplinks) {
    const up = cfg.uplinks[rack]!;
    ports.push({ nextHop: actorId(aggHostIndex(cfg), 0), rateBitsPerSec: up.rateBitsPerSec, latencyNs: up.latencyNs });
    names.push('uplink');
  }
  return { node: { name: `tor${rack}`, ports, forwardingLatencyNs: cfg.tor.forwardingLatencyNs, buffer: cfg.tor.buffer, portOfHost }, portNames: names, rack };
}

export function buildSwitchHost(sim: Sim, cfg: FleetConfig, warmupNs: number, hostIndex: number): HostInstance {
  const { node: s, portNames, rack } = spec(cfg, hostIndex);
  const sw = sim.register(new SwitchNode(actorId(hostIndex, 0), sim, s, cfg.flows, cfg.frames));
  const name = switchName(cfg, hostIndex);
  const labels = portNames.map((p) => [name, p]);
  for (const l of labels) {
    sim.metrics.inc('vioemu_switch_drops_total', l, 0);
    sim.metrics.inc('vioemu_switch_tx_bytes_total', l, 0);
    sim.metrics.inc('vioemu_switch_queue_byte_seconds_total', l, 0);
  }
  const last = { drops: new Float64Array(labels.length), tx: new Float64Array(labels.length), area: new Float64Array(labels.length) };
  const sent = (p: SwitchNode['ports'], i: number) => p.sentBytes(i, sim.nowNs);
  const push = () => {
    const p = sw.ports;
    labels.forEach((l, i) => {
      sim.metrics.inc('vioemu_switch_drops_total', l, p.dropFrames[i]! - last.drops[i]!);
      const tx = sent(p, i);
      sim.metrics.inc('vioemu_switch_tx_bytes_total', l, tx - last.tx[i]!);
      last.tx[i] = tx;
      sim.metrics.inc('vioemu_switch_queue_byte_seconds_total', l, (p.queueByteNs[i]! - last.area[i]!) / 1e9);
      sim.metrics.set('vioemu_switch_queue_bytes', l, p.backlogBytes(i, sim.nowNs));
    });
    last.drops.set(p.dropFrames);
    last.area.set(p.queueByteNs);
  };
  const sampler = metricsSampler(sim, actorId(hostIndex, 1), cfg.sampleNs, push);
  const warmup = warmupNs > 0
    ? new Once(sim, actorId(hostIndex, 2), warmupNs, () => {
        // Counters restart; the metric baselines follow them, after a push of what came since the last sample.
        push();
        sw.resetCounters();
        last.drops.fill(0);
        labels.forEach((_, i) => (last.tx[i] = sent(sw.ports, i)));
        last.area.fill(0);
      })
    : null;
  return {
    persist: () => [sw, last, sampler, warmup],
    metricsHost: name,
    collect: (endNs): SwitchResult => {
      const measuredNs = measuredSpanNs(endNs, warmupNs);
      const p = sw.ports;
      const r: SwitchResult = {
        role: 'switch',
        name,
        kind: rack === null ? 'aggregation' : 'tor',
        rack,
        congestionEpisodes: sw.congestionEpisodes,
        congestedPct: Math.round((1e5 * sw.congestedTimeNs(endNs)) / measuredNs) / 1e3,
        ports: portNames.map((port, i) => {
          const sentBytes = p.sentBytes(i, endNs);
          return {
            port,
            dropFrames: p.dropFrames[i]!,
            txBytes: Math.round(sentBytes),
            txGbps: Math.round((1e3 * 8 * sentBytes) / measuredNs) / 1e3,
            maxQueueBytes: Math.round(p.maxQueueBytes[i]!),
            meanQueueBytes: Math.round(p.queueByteNs[i]! / measuredNs),
          };
        }),
      };
      sampler.pushAtEnd(endNs);
      return r;
    },
    xstateEvents: () => sw.machine.xstateEvents,
  };
}
