// One host's share of a checkpoint: its objects' fields, the kernel events
// it owns, its actors' sequence counters and its metric series. Hosts are the
// unit of placement, so a checkpoint taken with P partitions resumes with any
// other number: each partition restores the hosts it is given.
import type { MetricUpdate } from './metricSink.ts';
import type { SimEvent } from './eventQueue.ts';
import { hostOfActor, type HostInstance } from './model.ts';
import type { Sim } from './sim.ts';
import { Decoder, Encoder, SnapshotError, stamp, type Enc, type Opaque } from './snapshot.ts';

export interface HostSection {
  hostIndex: number;
  /** How many construction-time objects the host had (a rebuilt host must have as many). */
  objects: number;
  bodies: Enc[];
  /** The host's queued events, encoded with the bodies' encoder (shared identity: models keep timer handles). */
  events: Enc;
  seqs: [number, number][];
  metrics: MetricUpdate[];
}

/** Which host an event belongs to: a message to its destination, a timer to its actor. */
export function eventOwner(ev: SimEvent): number {
  return hostOfActor(ev.dstId >= 0 ? ev.dstId : ev.srcId);
}

/**
 * What a host's state walk must not enter: the kernel (its state is saved
 * separately) and objects shared by every host (the scenario's configuration,
 * machine definitions) — rebuilt the same, never changed by a run.
 */
export function kernelOpaque(sim: Sim, shared: readonly unknown[]): Opaque {
  const frozen = new WeakSet<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || frozen.has(v)) return;
    frozen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v as object)) walk(x);
  };
  for (const s of shared) walk(s);
  return (o) => o === sim || o === sim.metrics || frozen.has(o) || isMachineDefinition(o);
}

/** XState definitions (StateMachine, StateNode): built at module load, immutable. */
function isMachineDefinition(o: object): boolean {
  const n = (o as { constructor?: { name?: string } }).constructor?.name;
  return n === 'StateMachine' || n === 'StateNode';
}

/** The construction-time objects of a host, numbered; call right after building it. */
export function stampHost(inst: HostInstance, opaque: Opaque, hostIndex: number): object[] {
  if (!inst.persist) throw new SnapshotError(`host ${hostIndex}: this model keeps state the checkpoint cannot see (no persist())`);
  return stamp(inst.persist(), opaque);
}

export function captureHost(sim: Sim, hostIndex: number, inst: HostInstance, stamped: readonly object[], opaque: Opaque): HostSection {
  const enc = new Encoder(stamped, opaque);
  const bodies = enc.objects();
  const mine: SimEvent[] = [];
  for (const ev of sim.queuedEvents()) {
    if (eventOwner(ev) !== hostIndex) continue;
    if (ev.fn) throw new SnapshotError(`host ${hostIndex}: a timer of actor ${ev.srcId} is a closure, which a checkpoint cannot hold`);
    mine.push(ev);
  }
  // Key order: the heap's layout differs between partitionings, the events do not.
  mine.sort((a, b) => a.timeNs - b.timeNs || a.srcId - b.srcId || a.srcSeq - b.srcSeq);
  const events = enc.value(mine, `host ${hostIndex} events`);
  const host = inst.metricsHost;
  const metrics = host === undefined ? [] : sim.metrics.exportSeries((def, labels) => labels[def.labelNames.indexOf('host')] === host);
  return { hostIndex, objects: stamped.length, bodies, events, seqs: sim.seqEntries((id) => hostOfActor(id) === hostIndex), metrics };
}

/** Overlay a saved host onto a freshly built one (same scenario, same stamp). Call after sim.resetForRestore. */
export function restoreHost(sim: Sim, section: HostSection, stamped: readonly object[]): void {
  if (section.objects !== stamped.length) {
    throw new SnapshotError(`host ${section.hostIndex}: the rebuilt host has ${stamped.length} objects where the checkpoint has ${section.objects} (another scenario or another vioemu version)`);
  }
  const dec = new Decoder(stamped);
  dec.objects(section.bodies);
  const events = dec.value(section.events) as SimEvent[];
  if (!Array.isArray(events)) throw new SnapshotError(`host ${section.hostIndex}: events are not a list`);
  for (const ev of events) {
    if (eventOwner(ev) !== section.hostIndex) throw new SnapshotError(`host ${section.hostIndex}: holds an event of host ${eventOwner(ev)}`);
    if (ev.target && typeof (ev.target as Record<string, unknown>)[ev.method!] !== 'function') {
      throw new SnapshotError(`host ${section.hostIndex}: a timer names ${ev.method}, which its object does not have`);
    }
    if (ev.fn === undefined) ev.fn = null;
  }
  sim.restore(events, section.seqs);
  sim.metrics.importSeries(section.metrics);
}
