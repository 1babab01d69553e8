// Counters of the SUT's network path for results and metrics: drops per
// queue, packets per stage, application bytes, cycles per component.
import type { Sim } from '../kernel/sim.ts';
import type { XenHost } from '../xen/host.ts';
import type { XenHostResult } from '../xen/results.ts';
import type { SutCounters } from './sut.ts';

export interface SutNetResult {
  role: 'sut';
  pair?: number;
  appBytes: number;
  throughputGbps: number;
  drops: { nicRing: number; netbackQueue: number; frontendRing: number };
  netbackStops: number;
  nicPackets: number;
  host: XenHostResult;
}

interface Snapshot {
  appBytes: number;
  appBytesByDomain: Map<string, number>;
  nicDrops: number;
  nbDrops: number;
  feDrops: number;
  nbStops: number;
  nicPackets: number;
}

export class NetStats {
  private base: Snapshot;
  private lastSample: Snapshot;
  private lastCycles = new Map<string, { cycles: number; packets: number }>();
  private readonly hostLabel: string[];

  constructor(
    private readonly sim: Sim,
    private readonly host: XenHost,
    private readonly parts: SutCounters,
    private readonly hostName: string,
  ) {
    this.hostLabel = [hostName];
    this.base = this.snap();
    this.lastSample = this.base;
    for (const q of ['nic_ring', 'netback_txq', 'frontend_ring']) sim.metrics.inc('vioemu_queue_drops_total', [hostName, q], 0);
  }

  private snap(): Snapshot {
    const p = this.parts;
    const byDom = new Map<string, number>();
    p.stack.receivers.forEach((r, f) => {
      const d = p.domainOfFlow[f]!;
      byDom.set(d, (byDom.get(d) ?? 0) + r.stats().bytesRead);
    });
    return {
      appBytes: p.stack.bytesRead,
      appBytesByDomain: byDom,
      nicDrops: p.nic.drops,
      nbDrops: p.netbacks.reduce((a, x) => a + x.qdiscDrops, 0),
      feDrops: p.netfronts.reduce((a, x) => a + x.overflowDrops, 0),
      nbStops: p.netbacks.reduce((a, x) => a + x.stops, 0),
      nicPackets: p.nic.received,
    };
  }

  reset(): void {
    this.base = this.snap();
  }

  /** Push deltas and gauges to the metric sink (called every sample period). */
  sample(): void {
    const s = this.snap();
    const l = this.lastSample;
    const m = this.sim.metrics;
    const h = this.hostName;
    m.inc('vioemu_queue_drops_total', [h, 'nic_ring'], s.nicDrops - l.nicDrops);
    m.inc('vioemu_queue_drops_total', [h, 'netback_txq'], s.nbDrops - l.nbDrops);
    m.inc('vioemu_queue_drops_total', [h, 'frontend_ring'], s.feDrops - l.feDrops);
    m.inc('vioemu_net_packets_total', [h, 'nic_rx'], s.nicPackets - l.nicPackets);
    for (const [d, b] of s.appBytesByDomain) m.inc('vioemu_app_received_bytes_total', [h, d], b - (l.appBytesByDomain.get(d) ?? 0));
    m.inc('vioemu_net_bytes_total', [h, 'app'], s.appBytes - l.appBytes);
    m.set('vioemu_queue_depth', [h, 'nic_ring'], this.parts.nic.ring.length);
    if (this.parts.netbacks.length) m.set('vioemu_queue_depth', [h, 'netback_txq'], this.parts.netbacks.reduce((a, x) => a + x.qdisc.length, 0));
    if (this.parts.netfronts.length) m.set('vioemu_queue_depth', [h, 'frontend_ring'], this.parts.netfronts.reduce((a, x) => a + x.responses.length, 0));
    for (const [name, c] of this.host.stats.components) {
      const prev = this.lastCycles.get(name) ?? { cycles: 0, packets: 0 };
      m.inc('vioemu_component_cycles_total', [h, name], Math.max(0, c.cycles - prev.cycles));
      m.inc('vioemu_component_packets_total', [h, name], Math.max(0, c.packets - prev.packets));
      this.lastCycles.set(name, { ...c });
    }
    this.lastSample = s;
  }

  result(measuredNs: number, host: XenHostResult): SutNetResult {
    const s = this.snap();
    const b = this.base;
    const appBytes = s.appBytes - b.appBytes;
    return {
      role: 'sut',
      appBytes,
      throughputGbps: (appBytes * 8) / measuredNs,
      drops: { nicRing: s.nicDrops - b.nicDrops, netbackQueue: s.nbDrops - b.nbDrops, frontendRing: s.feDrops - b.feDrops },
      netbackStops: s.nbStops - b.nbStops,
      nicPackets: s.nicPackets - b.nicPackets,
      host,
    };
  }

  xstateEvents(): number {
    const p = this.parts;
    return p.nic.machine.xstateEvents + p.netbacks.reduce((a, x) => a + x.machine.xstateEvents, 0) + p.netfronts.reduce((a, x) => a + x.machine.xstateEvents, 0);
  }
}
