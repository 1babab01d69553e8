// A fleet host's counters for results and metrics: goodput per DomU, Dom0's
// busy time per VCPU, drops per queue, TCP timeouts and retransmits, packets
// to the wire and between the host's own DomUs, request latencies.
import type { Sim } from '../../kernel/sim.ts';
import type { XenHost } from '../../xen/host.ts';
import { ComponentCounters } from '../componentCounters.ts';
import type { FleetDom0 } from './dom0Fleet.ts';
import type { FleetNic } from './fleetNic.ts';
import type { FleetGuest } from './guestNet.ts';
import { bucketUpperNs } from './latencyHistogram.ts';
import { FLEET_DROP_QUEUES } from './metricsDefs.ts';
import type { WireLink } from './wire.ts';

export interface FleetHostResult {
  role: 'fleet-host';
  host: number;
  name: string;
  rack: number;
  measuredNs: number;
  /** Per DomU: application bytes read. */
  domuGoodputBytes: number[];
  dom0CpuPct: number;
  dom0VcpuPct: number[];
  domuCpuPct: number;
  coreUtilPct: number;
  drops: Record<(typeof FLEET_DROP_QUEUES)[number], number>;
  tcp: { timeouts: number; retransmits: number; segmentsSent: number };
  packets: { wire: number; local: number; nicRx: number };
  requests: { done: number; latencySparse: number[] };
  incast: { rounds: number; roundNs: number };
}

interface Snap {
  goodput: number[];
  drops: number[];
  timeouts: number;
  retransmits: number;
  segsSent: number;
  wire: number;
  local: number;
  nicRx: number;
  requests: number;
  rounds: number;
  roundNs: number;
  dom0VcpuNs: number[];
}

export class FleetStats {
  private base: Snap;
  private last: Snap;
  private readonly hostLabels: string[];
  private readonly dropLabels: string[][];
  private readonly vcpuLabels: string[][];
  private readonly domuLabels: string[][];
  private readonly appLabels: string[][];
  private readonly pathLabels: { wire: string[]; local: string[] };
  private lastSampleNs = 0;
  private readonly components: ComponentCounters;

  constructor(
    private readonly sim: Sim,
    private readonly host: XenHost,
    private readonly parts: { dom0: FleetDom0; nic: FleetNic; link: WireLink; guests: FleetGuest[] },
    readonly rack: number,
    readonly hostIndex: number,
    private readonly perDomU: boolean,
    /** Per guest: does it receive some flow (the goodput histogram's population, as the results'). */
    private readonly receives: readonly boolean[],
  ) {
    const name = host.spec.name;
    const rk = String(rack);
    this.components = new ComponentCounters(sim, host, name);
    this.hostLabels = [rk, name];
    this.dropLabels = FLEET_DROP_QUEUES.map((q) => [rk, name, q]);
    this.vcpuLabels = host.domains[0]!.vcpus.map((_, i) => [rk, name, String(i)]);
    this.domuLabels = parts.guests.map((g) => [rk, name, g.name]);
    this.appLabels = parts.guests.map((g) => [name, perDomU ? g.name : 'domU']);
    this.pathLabels = { wire: [rk, name, 'wire'], local: [rk, name, 'local'] };
    const m = sim.metrics;
    m.inc('vioemu_fleet_goodput_bytes_total', this.hostLabels, 0);
    for (const l of this.dropLabels) m.inc('vioemu_fleet_drops_total', l, 0);
    for (const l of this.vcpuLabels) m.inc('vioemu_fleet_dom0_vcpu_busy_seconds_total', l, 0);
    m.inc('vioemu_fleet_tcp_timeouts_total', this.hostLabels, 0);
    m.inc('vioemu_fleet_tcp_retransmits_total', this.hostLabels, 0);
    m.inc('vioemu_fleet_packets_total', this.pathLabels.wire, 0);
    m.inc('vioemu_fleet_packets_total', this.pathLabels.local, 0);
    for (const l of this.appLabels) m.inc('vioemu_app_received_bytes_total', l, 0);
    if (perDomU) for (const l of this.domuLabels) m.inc('vioemu_fleet_domu_goodput_bytes_total', l, 0);
    this.base = this.snap();
    this.last = this.base;
  }

  private snap(): Snap {
    const { dom0, nic, link, guests } = this.parts;
    let timeouts = 0;
    let retransmits = 0;
    let segsSent = 0;
    let requests = 0;
    let rounds = 0;
    let roundNs = 0;
    for (const g of guests) {
      const c = g.stack.counters();
      timeouts += c.timeouts;
      retransmits += c.retransmits;
      segsSent += c.segsSent;
      requests += c.requestsDone;
      rounds += c.incastRounds;
      roundNs += c.incastRoundNs;
    }
    const sum = (f: (g: FleetGuest) => number) => guests.reduce((a, g) => a + f(g), 0);
    return {
      goodput: guests.map((g) => g.stack.bytesRead),
      drops: [nic.drops, link.qdiscDrops, sum((g) => g.vif.qdiscDrops), dom0.backlogDrops, sum((g) => g.tx.qdiscDrops)],
      timeouts,
      retransmits,
      segsSent,
      wire: dom0.wirePackets,
      local: dom0.localPackets,
      nicRx: nic.received,
      requests,
      rounds,
      roundNs,
      // Never reset (vcpuRunNs restarts at warm-up): the metric's deltas must not lose the first period after it.
      dom0VcpuNs: this.host.domains[0]!.vcpus.map((v) => this.host.stats.vcpuRunTotalNs[v]!),
    };
  }

  /** End of warm-up: measure from here. */
  reset(): void {
    this.base = this.snap();
    this.components.restart();
    for (const g of this.parts.guests) g.stack.requests.latency.reset();
  }

  /**
   * Push deltas to the metric sink (every sample period, after the host credited running VCPUs up to now);
   * `observeGoodput` false: the last push of a run, over less than a period, observes no goodput.
   */
  sample(observeGoodput = true): void {
    const s = this.snap();
    const l = this.last;
    const m = this.sim.metrics;
    const dt = (this.sim.nowNs - this.lastSampleNs) / 1e9;
    let total = 0;
    s.goodput.forEach((b, i) => {
      const d = b - l.goodput[i]!;
      total += d;
      m.inc('vioemu_app_received_bytes_total', this.appLabels[i]!, d);
      if (this.perDomU) m.inc('vioemu_fleet_domu_goodput_bytes_total', this.domuLabels[i]!, d);
      if (observeGoodput && dt > 0 && this.receives[i]) m.observe('vioemu_fleet_domu_goodput_bytes_per_second', this.hostLabels, d / dt);
    });
    m.inc('vioemu_fleet_goodput_bytes_total', this.hostLabels, total);
    s.drops.forEach((d, i) => m.inc('vioemu_fleet_drops_total', this.dropLabels[i]!, d - l.drops[i]!));
    s.dom0VcpuNs.forEach((ns, i) => m.inc('vioemu_fleet_dom0_vcpu_busy_seconds_total', this.vcpuLabels[i]!, Math.max(0, ns - l.dom0VcpuNs[i]!) / 1e9));
    m.inc('vioemu_fleet_tcp_timeouts_total', this.hostLabels, s.timeouts - l.timeouts);
    m.inc('vioemu_fleet_tcp_retransmits_total', this.hostLabels, s.retransmits - l.retransmits);
    m.inc('vioemu_fleet_packets_total', this.pathLabels.wire, s.wire - l.wire);
    m.inc('vioemu_fleet_packets_total', this.pathLabels.local, s.local - l.local);
    this.pushResetCounters();
    this.last = s;
    this.lastSampleNs = this.sim.nowNs;
  }

  /**
   * Request latencies and component counters since the last push: also called at the end of warm-up,
   * before the host and the guests zero them, so the metrics do not lose what came after the last sample.
   */
  pushResetCounters(): void {
    const m = this.sim.metrics;
    // Request latencies completed since the last sample, at their bucket's upper edge.
    for (const g of this.parts.guests) {
      const h = g.stack.requests.latency;
      for (let i = 0; i < h.counts.length; i++) {
        const n = h.counts[i]! - h.sampledCounts[i]!;
        for (let k = 0; k < n; k++) m.observe('vioemu_request_latency_seconds', this.hostLabels, bucketUpperNs(i) / 1e9);
      }
      h.markSampled();
    }
    this.components.push();
  }

  result(measuredNs: number): FleetHostResult {
    const s = this.snap();
    const b = this.base;
    const st = this.host.stats;
    const pct = (ns: number) => Math.round((1e5 * ns) / measuredNs) / 1e3;
    let domuNs = 0;
    for (let d = 1; d < this.host.domains.length; d++) domuNs += st.dom[d]!.cpuNs;
    const latency: number[] = [];
    for (const g of this.parts.guests) latency.push(...g.stack.requests.latency.sparse());
    const drops = {} as FleetHostResult['drops'];
    FLEET_DROP_QUEUES.forEach((q, i) => (drops[q] = s.drops[i]! - b.drops[i]!));
    return {
      role: 'fleet-host',
      host: this.hostIndex,
      name: this.host.spec.name,
      rack: this.rack,
      measuredNs,
      domuGoodputBytes: s.goodput.map((x, i) => x - b.goodput[i]!),
      dom0CpuPct: pct(st.dom[0]!.cpuNs),
      dom0VcpuPct: this.host.domains[0]!.vcpus.map((v) => pct(st.vcpuRunNs[v]!)),
      domuCpuPct: pct(domuNs),
      coreUtilPct: pct(st.pcpuBusyNs.reduce((a, x) => a + x, 0)),
      drops,
      tcp: { timeouts: s.timeouts - b.timeouts, retransmits: s.retransmits - b.retransmits, segmentsSent: s.segsSent - b.segsSent },
      packets: { wire: s.wire - b.wire, local: s.local - b.local, nicRx: s.nicRx - b.nicRx },
      requests: { done: s.requests - b.requests, latencySparse: latency },
      incast: { rounds: s.rounds - b.rounds, roundNs: s.roundNs - b.roundNs },
    };
  }
}
