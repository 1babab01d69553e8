// Conservative windowed synchronization: each window runs to
// min(global next event) + lookahead, exchanges outboxes, meets at a barrier;
// empty stretches are skipped by jumping to the global next event.
import type { RemoteRecord, Sim } from './sim.ts';

/** How a partition talks to its peers: SharedArrayBuffer rings and barrier on one machine (SabTransport), a relay to the network (RelayTransport). */
export interface Transport {
  readonly partitions: number;
  readonly self: number;
  send(dst: number, records: RemoteRecord[]): void;
  sync(myNextNs: number, wantStop: boolean): { gvtNs: number; stop: boolean };
  receive(): RemoteRecord[][];
}

export interface LoopHooks {
  /** Called between windows (progress, metric flush); must not touch model state. */
  onWindow?(sim: Sim): void;
  /** Checked between windows: an outside request to stop (Ctrl-C). */
  stopRequested?(): boolean;
  /**
   * Instants of virtual time at which every partition pauses with exactly
   * the events before it done (metric samples, checkpoints): no window
   * crosses `nextNs()`, and once all partitions are there `at(t)` runs; it
   * must move `nextNs()` past t. The model's results do not depend on them.
   */
  stops?: { nextNs(): number; at(tNs: number): void };
}

export interface LoopResult {
  /** Virtual time every partition has completed. */
  reachedNs: number;
  windows: number;
  crossMessages: number;
  interrupted: boolean;
}

/** Counted as the loop goes, so a partition that fails mid-run still reports how far it got. */
export interface LoopCounts {
  windows: number;
  crossMessages: number;
}

/** Max events per window chunk so progress and stop are seen on long windows. */
const CHUNK_EVENTS = 20_000;

export function runPartition(
  sim: Sim,
  transport: Transport,
  endNs: number,
  lookaheadNs: number,
  hooks: LoopHooks = {},
  /** Cap on a window's virtual length (pacing wants short windows). */
  maxWindowNs = Infinity,
  counts: LoopCounts = { windows: 0, crossMessages: 0 },
): LoopResult {
  for (;;) {
    let minSentNs = Infinity;
    for (let p = 0; p < transport.partitions; p++) {
      if (p === transport.self) continue;
      const recs = sim.takeOutbox(p);
      if (recs.length === 0) continue;
      for (const r of recs) if (r.timeNs < minSentNs) minSentNs = r.timeNs;
      counts.crossMessages += recs.length;
      transport.send(p, recs);
    }
    const myNextNs = Math.min(sim.peekTimeNs(), minSentNs);
    const { gvtNs, stop } = transport.sync(myNextNs, sim.stopped || (hooks.stopRequested?.() ?? false));
    for (const batch of transport.receive()) sim.deliverRemote(batch);
    counts.windows++;
    // Every event before gvt is done everywhere and no window ran past a stop: the state at the stop is exact.
    const stops = hooks.stops;
    if (stops) {
      for (let t = stops.nextNs(); t <= gvtNs && t <= endNs; t = stops.nextNs()) stops.at(t);
    }
    if (stop || gvtNs >= endNs) {
      const interrupted = stop && gvtNs < endNs;
      const reachedNs = interrupted ? gvtNs : endNs;
      sim.advanceTo(reachedNs);
      return { reachedNs, windows: counts.windows, crossMessages: counts.crossMessages, interrupted };
    }
    const windowEndNs = Math.min(gvtNs + Math.min(lookaheadNs, maxWindowNs), endNs, stops ? stops.nextNs() : Infinity);
    sim.runUntil(windowEndNs, CHUNK_EVENTS);
    hooks.onWindow?.(sim);
  }
}

/** Single-partition transport: no peers; stop comes from the hook or the model. */
export class SoloTransport implements Transport {
  readonly partitions = 1;
  readonly self = 0;
  send(): void {
    throw new Error('SoloTransport has no peers');
  }
  sync(myNextNs: number, wantStop: boolean) {
    return { gvtNs: myNextNs, stop: wantStop };
  }
  receive(): RemoteRecord[][] {
    return [];
  }
}
