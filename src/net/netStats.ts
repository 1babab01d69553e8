// Counters of the SUT's network path for results and metrics: drops per
// queue, packets per stage, application bytes, cycles per component.
import type { Sim } from '../kernel/sim.ts';
import type { XenHost } from '../xen/host.ts';
import type { XenHostResult } from '../xen/results.ts';
import type { SutCounters } from './sut.ts';
import { ComponentCounters } from './componentCounters.ts';
import { QUEUE_NAMES } from './metricsDefs.ts';

const r1 = (x: number) => Math.round(x * 10) / 10;

export interface SutNetResult {
  role: 'sut';
  pair?: number;
  appBytes: number;
  throughputGbps: number;
  drops: { nicRing: number; netbackQueue: number; frontendRing: number; backlog: number };
  netbackStops: number;
  nicPackets: number;
  /** Guests' receive buffers (netfront): posted buffers free when a burst reaches the vif, rx_target. */
  netfront: { postedMean: number; postedMin: number; rxTarget: number[]; targetGrows: number; targetShrinks: number; refills: number } | null;
  /** netback: queue stops and timer wakes, net_rx_action passes and their packets, frontend notifications. */
  netback: { stops: number; timeoutWakes: number; rxPasses: number; packetsPerPass: number; frontendNotifies: number } | null;
  host: XenHostResult;
}

interface Snapshot {
  appBytes: number;
  appBytesByDomain: Map<string, number>;
  nicDrops: number;
  nbDrops: number;
  feDrops: number;
  backlogDrops: number;
  nbStops: number;
  nbTimeoutWakes: number;
  nicPackets: number;
  targetGrows: number;
  targetShrinks: number;
  refills: number;
  rxPasses: number;
  rxPassPackets: number;
  feNotifies: number;
}

export class NetStats {
  private base: Snapshot;
  private lastSample: Snapshot;
  private readonly components: ComponentCounters;
  private readonly hostLabel: string[];

  constructor(
    private readonly sim: Sim,
    private readonly host: XenHost,
    private readonly parts: SutCounters,
    private readonly hostName: string,
  ) {
    this.hostLabel = [hostName];
    this.components = new ComponentCounters(sim, host, hostName);
    this.base = this.snap();
    this.lastSample = this.base;
    for (const q of QUEUE_NAMES) sim.metrics.inc('vioemu_queue_drops_total', [hostName, q], 0);
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
      feDrops: p.netbacks.reduce((a, x) => a + x.frontendOverruns, 0),
      backlogDrops: p.guests?.dom0.backlogDrops ?? 0,
      nbStops: p.netbacks.reduce((a, x) => a + x.stops, 0),
      nbTimeoutWakes: p.netbacks.reduce((a, x) => a + x.timeoutWakes, 0),
      nicPackets: p.nic.received,
      targetGrows: p.netfronts.reduce((a, x) => a + x.targetGrows, 0),
      targetShrinks: p.netfronts.reduce((a, x) => a + x.targetShrinks, 0),
      refills: p.netfronts.reduce((a, x) => a + x.refills, 0),
      rxPasses: p.guests?.dom0.rxPasses ?? 0,
      rxPassPackets: p.guests?.dom0.rxPassPackets ?? 0,
      feNotifies: p.guests?.dom0.frontendNotifies ?? 0,
    };
  }

  reset(): void {
    this.base = this.snap();
    this.components.restart();
    for (const ps of this.parts.guests?.postedSamples ?? []) {
      ps.sum = ps.count = 0;
      ps.min = Number.MAX_SAFE_INTEGER;
    }
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
    m.inc('vioemu_queue_drops_total', [h, 'backlog'], s.backlogDrops - l.backlogDrops);
    m.inc('vioemu_net_packets_total', [h, 'nic_rx'], s.nicPackets - l.nicPackets);
    for (const [d, b] of s.appBytesByDomain) m.inc('vioemu_app_received_bytes_total', [h, d], b - (l.appBytesByDomain.get(d) ?? 0));
    m.inc('vioemu_net_bytes_total', [h, 'app'], s.appBytes - l.appBytes);
    m.set('vioemu_queue_depth', [h, 'nic_ring'], this.parts.nic.ring.length);
    if (this.parts.netbacks.length) m.set('vioemu_queue_depth', [h, 'netback_txq'], this.parts.netbacks.reduce((a, x) => a + x.qdisc.length, 0));
    if (this.parts.netfronts.length) m.set('vioemu_queue_depth', [h, 'frontend_ring'], this.parts.netfronts.reduce((a, x) => a + x.responses.length, 0));
    this.pushComponents();
    this.lastSample = s;
  }

  /** Component cycles and packets since the last push (also at the end of warm-up, before the host zeroes them). */
  pushComponents(): void {
    this.components.push();
  }

  result(measuredNs: number, host: XenHostResult): SutNetResult {
    const s = this.snap();
    const b = this.base;
    const appBytes = s.appBytes - b.appBytes;
    return {
      role: 'sut',
      appBytes,
      throughputGbps: (appBytes * 8) / measuredNs,
      drops: { nicRing: s.nicDrops - b.nicDrops, netbackQueue: s.nbDrops - b.nbDrops, frontendRing: s.feDrops - b.feDrops, backlog: s.backlogDrops - b.backlogDrops },
      netbackStops: s.nbStops - b.nbStops,
      nicPackets: s.nicPackets - b.nicPackets,
      netfront: this.parts.guests ? this.netfrontResult(s, b) : null,
      netback: this.parts.guests
        ? {
            stops: s.nbStops - b.nbStops,
            timeoutWakes: s.nbTimeoutWakes - b.nbTimeoutWakes,
            rxPasses: s.rxPasses - b.rxPasses,
            packetsPerPass: r1((s.rxPassPackets - b.rxPassPackets) / Math.max(1, s.rxPasses - b.rxPasses)),
            frontendNotifies: s.feNotifies - b.feNotifies,
          }
        : null,
      host,
    };
  }

  private netfrontResult(s: Snapshot, b: Snapshot): NonNullable<SutNetResult['netfront']> {
    const ps = this.parts.guests!.postedSamples;
    const sum = ps.reduce((a, x) => a + x.sum, 0);
    const count = ps.reduce((a, x) => a + x.count, 0);
    const min = ps.reduce((a, x) => Math.min(a, x.min), Number.MAX_SAFE_INTEGER);
    return {
      postedMean: r1(sum / Math.max(1, count)),
      postedMin: count > 0 ? min : 0,
      rxTarget: this.parts.netfronts.map((f) => f.rxTarget),
      targetGrows: s.targetGrows - b.targetGrows,
      targetShrinks: s.targetShrinks - b.targetShrinks,
      refills: s.refills - b.refills,
    };
  }

  xstateEvents(): number {
    const p = this.parts;
    return p.nic.machine.xstateEvents + p.netbacks.reduce((a, x) => a + x.machine.xstateEvents, 0) + p.netfronts.reduce((a, x) => a + x.machine.xstateEvents, 0);
  }
}
