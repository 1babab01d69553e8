// Drops count from the end of warm-up, as every other result does: the result's drops per queue
// are what the queues' own counters add over the measured window, not over the whole run.
// (A tiny NIC ring and netif_rx backlog drop in slow start, inside warm-up, and keep dropping after.)
import { describe, expect, it } from 'vitest';
import type { SutNetResult } from '../../src/net/netStats.ts';
import type { SutCounters } from '../../src/net/sut.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('drops across the end of warm-up', () => {
  it('the result counts only the measured window’s NIC ring and backlog drops', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=300ms', 'warmup=100ms', 'net.nic.ringSlots=16', 'net.netdev.maxBacklog=10']);
    const { sim, sc, hosts } = built;
    const parts = hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
    const count = () => ({ nicRing: parts.nic.drops, backlog: parts.guests!.dom0.backlogDrops });
    sim.runUntil(sc.warmupNs);
    const atWarmup = count();
    sim.runUntil(sc.durationNs);
    const { summary } = collectInProcess(built);
    const end = count();
    const drops = summary.drops as { nicRing: number; backlog: number };
    // Both queues drop during warm-up and after it.
    expect(atWarmup.nicRing).toBeGreaterThan(0);
    expect(atWarmup.backlog).toBeGreaterThan(0);
    expect(drops.nicRing).toBeGreaterThan(0);
    expect(drops.backlog).toBeGreaterThan(0);
    expect(drops.nicRing).toBe(end.nicRing - atWarmup.nicRing);
    expect(drops.backlog).toBe(end.backlog - atWarmup.backlog);
  });

  it('and so do the path\'s other counters: NIC packets, netback stops, passes, notifications, netfront target changes and refills', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=300ms', 'warmup=100ms']);
    const { sim, sc, hosts } = built;
    const parts = hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
    const count = () => ({
      nicPackets: parts.nic.received,
      stops: parts.netbacks[0]!.stops,
      rxPasses: parts.guests!.dom0.rxPasses,
      frontendNotifies: parts.guests!.dom0.frontendNotifies,
      targetGrows: parts.netfronts[0]!.targetGrows,
      targetShrinks: parts.netfronts[0]!.targetShrinks,
      refills: parts.netfronts[0]!.refills,
    });
    sim.runUntil(sc.warmupNs);
    const w = count();
    sim.runUntil(sc.durationNs);
    const r = collectInProcess(built).out.hosts.map((h) => h.result as SutNetResult).find((x) => x.role === 'sut')!;
    const e = count();
    for (const k of Object.keys(w) as (keyof typeof w)[]) {
      expect(w[k], `${k} in warm-up`).toBeGreaterThan(0);
      expect(e[k], `${k} after warm-up`).toBeGreaterThan(w[k]);
    }
    expect(r.nicPackets).toBe(e.nicPackets - w.nicPackets);
    expect(r.netbackStops).toBe(e.stops - w.stops);
    expect(r.netback!.stops).toBe(e.stops - w.stops);
    expect(r.netback!.rxPasses).toBe(e.rxPasses - w.rxPasses);
    expect(r.netback!.frontendNotifies).toBe(e.frontendNotifies - w.frontendNotifies);
    expect(r.netfront!.targetGrows).toBe(e.targetGrows - w.targetGrows);
    expect(r.netfront!.targetShrinks).toBe(e.targetShrinks - w.targetShrinks);
    expect(r.netfront!.refills).toBe(e.refills - w.refills);
  });
});
