// Per-host scheduler bookkeeping for results and metrics: busy time per
// domain and PCPU, context switches, wakeups, boosts, migrations by distance,
// wake-to-run latency, cycles (and packets) per component.
import type { SeriesHandle } from '../kernel/metricSink.ts';
import type { Sim } from '../kernel/sim.ts';
import type { SchedDomain, SchedPolicy, SchedVcpu } from './sched/policy.ts';
import type { Distance, Topology } from './topology.ts';

export interface DomainStats {
  cpuNs: number;
  contextSwitches: number;
  wakeups: number;
  boosts: number;
  migrations: { sameL2: number; sameSocket: number; crossSocket: number };
  wakeLatency: { count: number; within100us: number; sumNs: number; maxNs: number; log2Buckets: number[] };
}

export interface ComponentStats {
  cycles: number;
  packets: number;
}

/**
 * One component's counters for the host, per domain and per VCPU, found with one lookup per work segment.
 * The per-domain and per-VCPU ones are flat arrays: one object per (component, domain) and (component, VCPU)
 * made every charge a chain of cache misses on a fleet of thousands of them. `…Touched`: charged at least once
 * (the results list only those).
 */
interface ComponentSlot {
  all: ComponentStats;
  domCycles: Float64Array;
  domPackets: Float64Array;
  domTouched: Uint8Array;
  vcpuCycles: Float64Array;
  vcpuTouched: Uint8Array;
}

const DIST_KEY = { same_l2: 'sameL2', same_socket: 'sameSocket', cross_socket: 'crossSocket' } as const;

/** A domain's scheduler series, resolved once: a name-and-labels lookup per scheduling event showed in profiles. */
interface DomainSeries {
  cpuSeconds: SeriesHandle;
  contextSwitches: SeriesHandle;
  wakeups: SeriesHandle;
  boosts: SeriesHandle;
  migrations: Record<string, SeriesHandle>;
}

export class HostStats {
  dom: DomainStats[];
  readonly pcpuBusyNs: number[];
  readonly vcpuRunNs: number[];
  /** Per VCPU, run time since the start, never reset at warm-up (baseline for metric deltas). */
  readonly vcpuRunTotalNs: number[];
  /**
   * Per VCPU, how far its run time has been counted: a metric sample counts a VCPU still running up to
   * the sample (so rates read current), and the rest of that run is counted from there when it ends.
   */
  readonly vcpuCountedToNs: number[];
  readonly components = new Map<string, ComponentStats>();
  /** Each component's counters, in first-touch order (as `components`). */
  private readonly slots = new Map<string, ComponentSlot>();
  private readonly domainCount: number;
  private readonly vcpuCount: number;
  /** Per-VCPU wake-to-run latency: count, sum, max (ns) and log2 buckets. */
  readonly vcpuWake: { count: number; sumNs: number; maxNs: number; log2Buckets: number[] }[];
  private readonly domLabels: string[][];
  /** Stolen credit already counted, per domain. */
  private readonly stolenSeen: number[] = [];
  private readonly guestsLabel: string | null;
  private guestCredit = 0;
  private readonly vcpuLabels: string[][];
  private readonly pcpuLabels: string[][];
  /** Per domain: labels of its migrations by distance. */
  private readonly migrationLabels: Record<string, string[]>[];
  // Series handles are private (#) fields: checkpoints walk a host's own data
  // properties, and these belong to the metric sink, which a resume rebuilds.
  readonly #domSeries: DomainSeries[];
  readonly #pcpuBusy: SeriesHandle[];
  /** Resolved at first use, as the series were created then before handles (their output order depends on it). */
  readonly #vcpuCpu: (SeriesHandle | undefined)[];
  readonly #wakeLatency: (SeriesHandle | undefined)[];

  constructor(
    private readonly sim: Sim,
    private readonly hostName: string,
    private readonly topology: Topology,
    private readonly domains: readonly SchedDomain[],
    vcpus: readonly (SchedVcpu & { name: string })[],
    private readonly perVcpu: boolean,
    /** Series of every guest domain under one `domain` label (fleets: per host, not per DomU); Dom0 keeps its own. */
    guestsLabel: string | null = null,
  ) {
    this.dom = domains.map(() => ({
      cpuNs: 0, contextSwitches: 0, wakeups: 0, boosts: 0,
      migrations: { sameL2: 0, sameSocket: 0, crossSocket: 0 },
      wakeLatency: { count: 0, within100us: 0, sumNs: 0, maxNs: 0, log2Buckets: new Array(40).fill(0) },
    }));
    this.domainCount = domains.length;
    this.vcpuCount = vcpus.length;
    this.vcpuWake = vcpus.map(() => ({ count: 0, sumNs: 0, maxNs: 0, log2Buckets: new Array(40).fill(0) }));
    this.pcpuBusyNs = new Array(topology.pcpuCount).fill(0);
    this.vcpuRunNs = new Array(vcpus.length).fill(0);
    this.vcpuRunTotalNs = new Array(vcpus.length).fill(0);
    this.vcpuCountedToNs = new Array(vcpus.length).fill(0);
    this.guestsLabel = guestsLabel;
    const label = (d: SchedDomain) => (guestsLabel !== null && d.id > 0 ? guestsLabel : d.name);
    this.domLabels = domains.map((d) => [hostName, label(d)]);
    this.vcpuLabels = vcpus.map((v) => [hostName, label(domains[v.domId]!), guestsLabel !== null && v.domId > 0 ? `${domains[v.domId]!.name}.${v.index}` : String(v.index)]);
    this.pcpuLabels = Array.from({ length: topology.pcpuCount }, (_, p) => [hostName, String(p)]);
    this.migrationLabels = domains.map((d) => Object.fromEntries(['same_l2', 'same_socket', 'cross_socket'].map((x) => [x, [hostName, label(d), x]])));
    // Every series exists from the start (at 0), so queries over a quiet domain return 0, not nothing.
    const touch = (name: string, labels: readonly string[]): SeriesHandle => {
      const h = sim.metrics.handle(name, labels);
      sim.metrics.incAt(h, 0);
      return h;
    };
    this.#domSeries = this.domLabels.map((l, domId) => ({
      cpuSeconds: touch('vioemu_domain_cpu_seconds_total', l),
      contextSwitches: touch('vioemu_sched_context_switches_total', l),
      wakeups: touch('vioemu_sched_wakeups_total', l),
      boosts: touch('vioemu_sched_boosts_total', l),
      migrations: Object.fromEntries(['same_l2', 'same_socket', 'cross_socket'].map((d) => [d, touch('vioemu_sched_migrations_total', this.migrationLabels[domId]![d]!)])),
    }));
    for (const l of this.domLabels) touch('vioemu_sched_credit_stolen_total', l);
    this.#pcpuBusy = this.pcpuLabels.map((l) => touch('vioemu_pcpu_busy_seconds_total', l));
    this.#vcpuCpu = new Array(vcpus.length).fill(undefined);
    this.#wakeLatency = new Array(domains.length).fill(undefined);
  }

  reset(): void {
    for (const d of this.dom) {
      d.cpuNs = d.contextSwitches = d.wakeups = d.boosts = 0;
      d.migrations = { sameL2: 0, sameSocket: 0, crossSocket: 0 };
      d.wakeLatency = { count: 0, within100us: 0, sumNs: 0, maxNs: 0, log2Buckets: new Array(40).fill(0) };
    }
    this.pcpuBusyNs.fill(0);
    this.vcpuRunNs.fill(0);
    this.components.clear();
    this.slots.clear();
    for (const w of this.vcpuWake) {
      w.count = w.sumNs = w.maxNs = 0;
      w.log2Buckets.fill(0);
    }
  }

  /** `v` ran on `pcpu` from `fromNs` to `toNs`; what a sample already counted of it is not counted again. */
  ran(v: SchedVcpu, pcpu: number, fromNs: number, toNs: number): void {
    const ns = toNs - Math.max(fromNs, this.vcpuCountedToNs[v.id]!);
    this.vcpuCountedToNs[v.id] = toNs;
    if (ns <= 0) return;
    this.dom[v.domId]!.cpuNs += ns;
    this.pcpuBusyNs[pcpu]! += ns;
    this.vcpuRunNs[v.id]! += ns;
    this.vcpuRunTotalNs[v.id]! += ns;
    const s = ns / 1e9;
    const m = this.sim.metrics;
    m.incAt(this.#domSeries[v.domId]!.cpuSeconds, s);
    m.incAt(this.#pcpuBusy[pcpu]!, s);
    if (this.perVcpu) m.incAt((this.#vcpuCpu[v.id] ??= m.handle('vioemu_vcpu_cpu_seconds_total', this.vcpuLabels[v.id]!)), s);
  }

  contextSwitch(v: SchedVcpu): void {
    this.dom[v.domId]!.contextSwitches++;
    this.sim.metrics.incAt(this.#domSeries[v.domId]!.contextSwitches);
  }

  wakeup(v: SchedVcpu, boosted: boolean, countWake = true): void {
    const d = this.dom[v.domId]!;
    if (countWake) {
      d.wakeups++;
      this.sim.metrics.incAt(this.#domSeries[v.domId]!.wakeups);
    }
    if (boosted) {
      d.boosts++;
      this.sim.metrics.incAt(this.#domSeries[v.domId]!.boosts);
    }
  }

  migration(v: SchedVcpu, distance: Exclude<Distance, 'same_core'>): void {
    this.dom[v.domId]!.migrations[DIST_KEY[distance]]++;
    this.sim.metrics.incAt(this.#domSeries[v.domId]!.migrations[distance]!);
  }

  wakeLatency(v: SchedVcpu, ns: number): void {
    const w = this.dom[v.domId]!.wakeLatency;
    w.count++;
    if (ns <= 100_000) w.within100us++;
    w.sumNs += ns;
    if (ns > w.maxNs) w.maxNs = ns;
    const bucket = Math.min(39, ns <= 0 ? 0 : Math.ceil(Math.log2(ns)));
    w.log2Buckets[bucket]!++;
    const vw = this.vcpuWake[v.id]!;
    vw.count++;
    vw.sumNs += ns;
    if (ns > vw.maxNs) vw.maxNs = ns;
    vw.log2Buckets[bucket]!++;
    const m = this.sim.metrics;
    m.observeAt((this.#wakeLatency[v.domId] ??= m.handle('vioemu_sched_wake_latency_seconds', this.domLabels[v.domId]!)), ns / 1e9);
  }

  /** Accounting segments (for rounding bounds in tests): one per completion or preemption. */
  segments = 0;

  cycles(component: string, cycles: number, packets: number, v: SchedVcpu): void {
    this.segments++;
    let slot = this.slots.get(component);
    if (!slot) {
      const d = this.domainCount;
      const n = this.vcpuCount;
      slot = { all: { cycles: 0, packets: 0 }, domCycles: new Float64Array(d), domPackets: new Float64Array(d), domTouched: new Uint8Array(d), vcpuCycles: new Float64Array(n), vcpuTouched: new Uint8Array(n) };
      this.slots.set(component, slot);
      this.components.set(component, slot.all);
    }
    const c = slot.all;
    c.cycles += cycles;
    c.packets += packets;
    const dom = v.domId;
    slot.domCycles[dom] += cycles;
    slot.domPackets[dom] += packets;
    slot.domTouched[dom] = 1;
    const id = v.id;
    slot.vcpuCycles[id] += cycles;
    slot.vcpuTouched[id] = 1;
  }

  /** A domain's cycles and packets by component ("who pays for what"): the components it was charged for. */
  domainComponents(domId: number): Map<string, ComponentStats> {
    const out = new Map<string, ComponentStats>();
    for (const [name, s] of this.slots) if (s.domTouched[domId]) out.set(name, { cycles: s.domCycles[domId]!, packets: s.domPackets[domId]! });
    return out;
  }

  /** A VCPU's cycles by component (which VCPU does which stage): the components it was charged for. */
  vcpuComponents(vcpuId: number): Map<string, { cycles: number }> {
    const out = new Map<string, { cycles: number }>();
    for (const [name, s] of this.slots) if (s.vcpuTouched[vcpuId]) out.set(name, { cycles: s.vcpuCycles[vcpuId]! });
    return out;
  }

  /** Gauges sampled on PCPU0's tick. */
  sample(policy: SchedPolicy, pcpus: number): void {
    for (let p = 0; p < pcpus; p++) this.sim.metrics.set('vioemu_sched_runqueue_length', this.pcpuLabels[p]!, policy.runqLength(p));
    // Opt B's stolen credit per domain so far: the counter takes what is new since the last sample.
    if (policy.creditStolenBy) {
      for (let domId = 0; domId < this.domLabels.length; domId++) {
        const total = policy.creditStolenBy(domId);
        const seen = this.stolenSeen[domId] ?? 0;
        if (total > seen) this.sim.metrics.inc('vioemu_sched_credit_stolen_total', this.domLabels[domId]!, total - seen);
        this.stolenSeen[domId] = total;
      }
    }
  }

  sampleCredit(domId: number, credit: number): void {
    if (this.guestsLabel === null || domId === 0) {
      this.sim.metrics.set('vioemu_sched_credit', this.domLabels[domId]!, credit);
      return;
    }
    // Guests share a label: the gauge is their sum (domains are sampled in order, the first guest restarts it).
    this.guestCredit = domId === 1 ? credit : this.guestCredit + credit;
    this.sim.metrics.set('vioemu_sched_credit', this.domLabels[domId]!, this.guestCredit);
  }

  sampleVcpuCredit(vcpuId: number, credit: number): void {
    if (this.perVcpu) this.sim.metrics.set('vioemu_vcpu_credit', this.vcpuLabels[vcpuId]!, credit);
  }

  get topologyPcpus(): number {
    return this.topology.pcpuCount;
  }
}
