// The scheduler's result fields per domain are what the scheduler reported over the measured
// window: wake-to-run latencies (count, share within 100 µs, mean, p50 and p99 as log2 bucket
// upper edges, never above the largest), migrations by cache distance, context switches — each
// counted from the end of warm-up. Recorded here by hand from the same calls and compared.
import { describe, expect, it } from 'vitest';
import type { XenHost } from '../../src/xen/host.ts';
import type { XenHostResult } from '../../src/xen/results.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

/** The upper edge (µs) of the log2 bucket holding the q-quantile of `ns`, capped at the largest. */
function log2QuantileUs(ns: number[], q: number): number {
  const sorted = [...ns].sort((a, b) => a - b);
  const edges = sorted.map((x) => 2 ** (x <= 0 ? 0 : Math.ceil(Math.log2(x))));
  const k = Math.ceil(q * sorted.length) - 1;
  return Math.min(edges[Math.max(0, k)]! / 1000, Math.round(sorted[sorted.length - 1]!) / 1000);
}

describe('scheduler result fields', () => {
  it('wake latency quantiles, migrations by distance and context switches count the measured window', () => {
    const built = buildInProcess('scenarios/sched/mixed-64.yaml', ['duration=150ms', 'warmup=50ms']);
    const host = built.hosts[0]!.persist!()[0] as XenHost;
    const st = host.stats;
    type Rec = { lat: number[]; mig: Record<string, number>; cs: number };
    const fresh = (): Rec[] => host.domains.map(() => ({ lat: [], mig: { sameL2: 0, sameSocket: 0, crossSocket: 0 }, cs: 0 }));
    let rec = fresh();
    let warmedUp = 0;
    const key = { same_l2: 'sameL2', same_socket: 'sameSocket', cross_socket: 'crossSocket' } as Record<string, string>;
    const reset = st.reset.bind(st);
    st.reset = () => {
      warmedUp++;
      rec = fresh();
      reset();
    };
    const wake = st.wakeLatency.bind(st);
    st.wakeLatency = (v, ns) => {
      rec[v.domId]!.lat.push(ns);
      wake(v, ns);
    };
    const migration = st.migration.bind(st);
    st.migration = (v, d) => {
      rec[v.domId]!.mig[key[d]!]!++;
      migration(v, d);
    };
    const cs = st.contextSwitch.bind(st);
    st.contextSwitch = (v) => {
      rec[v.domId]!.cs++;
      cs(v);
    };
    built.sim.runUntil(built.sc.durationNs);
    const { out } = collectInProcess(built);
    const r = out.hosts[0]!.result as XenHostResult;
    expect(warmedUp).toBe(1);
    let migrated = 0;
    let wakes = 0;
    r.domains.forEach((d, i) => {
      const x = rec[i]!;
      expect(d.contextSwitches, d.name).toBe(x.cs);
      expect(d.migrations, d.name).toEqual(x.mig);
      expect(d.wakeLatency.count, d.name).toBe(x.lat.length);
      migrated += x.mig.sameL2! + x.mig.sameSocket! + x.mig.crossSocket!;
      wakes += x.lat.length;
      if (x.lat.length === 0) return;
      expect(d.wakeLatency.p50Us, d.name).toBe(log2QuantileUs(x.lat, 0.5));
      expect(d.wakeLatency.p99Us, d.name).toBe(log2QuantileUs(x.lat, 0.99));
      expect(d.wakeLatency.maxUs, d.name).toBe(Math.round(Math.max(...x.lat)) / 1000);
      expect(d.wakeLatency.within100usPct, d.name).toBeCloseTo((100 * x.lat.filter((ns) => ns <= 100_000).length) / x.lat.length, 3);
    });
    // The comparison is of something: the window has migrations and many wakeups, and p50 ≠ p99 somewhere.
    expect(migrated).toBeGreaterThan(0);
    expect(wakes).toBeGreaterThan(1000);
    expect(r.domains.some((d) => d.wakeLatency.p50Us !== d.wakeLatency.p99Us)).toBe(true);
  });
});
