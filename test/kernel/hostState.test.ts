// A host captured at a virtual instant and overlaid onto a freshly built one
// continues exactly as the original: same results, same metric series. In
// process (no workers), on the paper's SUT and stressor and on the Xen model.
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { captureHost, kernelOpaque, restoreHost, stampHost, type HostSection } from '../../src/kernel/hostState.ts';
import type { HostInstance } from '../../src/kernel/model.ts';
import { Sim } from '../../src/kernel/sim.ts';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { MODELS } from '../../src/scenario/registry.ts';
import { SnapshotError } from '../../src/kernel/snapshot.ts';

interface Built {
  sim: Sim;
  hosts: { inst: HostInstance; stamped: object[] }[];
  opaque: ReturnType<typeof kernelOpaque>;
}

function build(file: string, sets: string[]): { built: Built; endNs: number; cfg: unknown } {
  const [pt] = loadScenario(file, { sets });
  const sc = pt!.scenario;
  const adapter = MODELS[sc.model]!;
  const cfg = { ...(adapter.workerConfig(sc) as object), seed: sc.seed, durationNs: sc.durationNs, warmupNs: sc.warmupNs };
  const model = MODEL_MODULES[sc.model]!;
  const sim = new Sim({ seed: sc.seed });
  sim.metrics.define(model.metricDefs);
  const opaque = kernelOpaque(sim, [cfg]);
  const hosts = Array.from({ length: adapter.hostCount(sc) }, (_, h) => {
    const inst = model.buildHost(sim, cfg as never, h, { trace: false, perVcpuMetrics: false });
    return { inst, stamped: stampHost(inst, opaque, h) };
  });
  return { built: { sim, hosts, opaque }, endNs: sc.durationNs, cfg };
}

function finish(b: Built, endNs: number) {
  b.sim.runUntil(endNs);
  b.sim.advanceTo(endNs);
  return { results: b.hosts.map((h) => h.inst.collect(endNs)), events: b.sim.eventsProcessed, metrics: b.sim.metrics.snapshot().sort((x, y) => (x.name + x.labels.join()).localeCompare(y.name + y.labels.join())) };
}

function roundTrip(file: string, sets: string[], atNs: number) {
  const a = build(file, sets);
  a.built.sim.runUntil(atNs);
  const sections: HostSection[] = a.built.hosts.map((h, i) => captureHost(a.built.sim, i, h.inst, h.stamped, a.built.opaque));
  // Through msgpack, as a checkpoint file carries it (±Infinity and NaN survive).
  const saved = unpack(pack(sections)) as HostSection[];
  const eventsAt = a.built.sim.eventsProcessed;
  const original = finish(a.built, a.endNs);

  const b = build(file, sets);
  b.built.sim.resetForRestore(atNs, eventsAt);
  saved.forEach((s, i) => restoreHost(b.built.sim, s, b.built.hosts[i]!.stamped));
  const resumed = finish(b.built, b.endNs);
  return { original, resumed, sizeBytes: pack(saved).length };
}

describe('host state round trip', () => {
  it('paper DomU run resumed mid-way equals the uninterrupted run', () => {
    const { original, resumed } = roundTrip('scenarios/paper/fig3-domu.yaml', ['duration=700ms', 'warmup=200ms'], 450_000_123);
    expect(original.events).toBeGreaterThan(40_000);
    expect(resumed).toEqual(original);
  });

  it('with all four optimizations and irqbalance binding', () => {
    const { original, resumed } = roundTrip('scenarios/paper/fig3-domu.yaml', ['duration=500ms', 'warmup=100ms', 'net.optimizations=[A,B,C,D]', 'net.dom0.irqBinding=irqbalance'], 250_000_000);
    expect(resumed).toEqual(original);
  });

  it('captured during warm-up, before the warm-up timer fired', () => {
    const { original, resumed } = roundTrip('scenarios/paper/fig3-domu.yaml', ['duration=400ms', 'warmup=200ms'], 60_000_000);
    expect(resumed).toEqual(original);
  });

  it('native Linux SUT and the SEDF scheduler', () => {
    for (const f of ['scenarios/paper/fig3-linux.yaml', 'scenarios/paper/fig5-sedf.yaml']) {
      const { original, resumed } = roundTrip(f, ['duration=400ms', 'warmup=100ms'], 210_000_000);
      expect(resumed, f).toEqual(original);
    }
  });

  it('the Xen scheduler model', () => {
    const { original, resumed } = roundTrip('scenarios/sched/mixed-64.yaml', ['duration=300ms'], 123_456_789);
    expect(resumed).toEqual(original);
  });

  it('a fleet: hosts with senders and receivers in every DomU, ToR and aggregation switches, all traffic patterns', () => {
    const sets = [
      'duration=150ms', 'warmup=30ms',
      'net.fleet.topology.racks.0.count=2', 'net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=3',
      'net.fleet.traffic=[{pattern: permutation, phases: [{duration: 40ms}, {duration: 10ms, active: false}]}, {pattern: request-response}, {pattern: incast, fanIn: 4, blockSize: 64KiB}, {pattern: all-to-all, groupSize: 3}]',
      'net.fleet.tor.buffer={mode: shared, bytes: 64KiB, alpha: 1}',
    ];
    const { original, resumed } = roundTrip('scenarios/scale/dc-1024.yaml', sets, 77_777_777);
    expect(original.events).toBeGreaterThan(40_000);
    expect(resumed).toEqual(original);
  });

  it('a single-rack fleet captured during warm-up', () => {
    const { original, resumed } = roundTrip('scenarios/scale/rack-16x16.yaml', ['duration=80ms', 'warmup=40ms', 'net.fleet.topology.racks.0.hosts.0.count=3', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=4'], 25_000_000);
    expect(resumed).toEqual(original);
  });

  it('a host built from another scenario is refused, naming the host', () => {
    const a = build('scenarios/paper/fig3-domu.yaml', ['duration=300ms', 'warmup=0s']);
    a.built.sim.runUntil(100_000_000);
    const s = captureHost(a.built.sim, 1, a.built.hosts[1]!.inst, a.built.hosts[1]!.stamped, a.built.opaque);
    const b = build('scenarios/paper/fig3-domu.yaml', ['duration=300ms', 'warmup=0s', 'net.guests=2']);
    b.built.sim.resetForRestore(100_000_000, 0);
    expect(() => restoreHost(b.built.sim, s, b.built.hosts[1]!.stamped)).toThrow(SnapshotError);
    expect(() => restoreHost(b.built.sim, s, b.built.hosts[1]!.stamped)).toThrow(/host 1/);
  });
});
