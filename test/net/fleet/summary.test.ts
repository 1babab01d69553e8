// A fleet result's distributions, from hand-made host results: per-DomU goodput
// percentiles (nearest rank) over the DomUs that receive, Jain's index, and
// request latency percentiles from merged log-linear histograms.
import { describe, expect, it } from 'vitest';
import { ROLE, type FleetConfig } from '../../../src/net/fleet/config.ts';
import type { FleetHostResult } from '../../../src/net/fleet/fleetStats.ts';
import { bucketOf, bucketUpperNs, LatencyHistogram, percentilesNs } from '../../../src/net/fleet/latencyHistogram.ts';
import { jainIndex, summarizeFleet } from '../../../src/scenario/fleetSummary.ts';

/** One host with `goodputBytes.length` DomUs; flow g: guest g → guest g of the same host (every DomU receives) unless `senders`. */
function fleet(goodputBytes: number[], senders: Set<number> = new Set(), latencySparse: number[] = []) {
  const n = goodputBytes.length;
  const rx = [...Array(n).keys()].filter((g) => !senders.has(g));
  const z = () => new Int32Array(rx.length);
  const flows = { count: rx.length, srcHost: z(), srcGuest: z(), dstHost: z(), dstGuest: Int32Array.from(rx), app: z(), role: new Int8Array(rx.length).fill(ROLE.bulk), peer: z().fill(-1), group: z().fill(-1) };
  const cfg = { racks: [{ name: 'r0', hosts: [0] }], hosts: [{ name: 'r0h0', domus: goodputBytes.map(() => ({})) }], flows } as unknown as FleetConfig;
  const host: FleetHostResult = {
    role: 'fleet-host', host: 0, name: 'r0h0', rack: 0, measuredNs: 8e9, domuGoodputBytes: goodputBytes,
    dom0CpuPct: 50, dom0VcpuPct: [50, 0], domuCpuPct: 10, coreUtilPct: 60,
    drops: { nic_ring: 0, nic_txq: 0, netback_txq: 0, backlog: 0, guest_txq: 0 },
    tcp: { timeouts: 0, retransmits: 0, segmentsSent: 0 }, packets: { wire: 0, local: 0, nicRx: 0 },
    requests: { done: 0, latencySparse }, incast: { rounds: 0, roundNs: 0 },
  };
  const out = { hosts: [{ result: host }] } as never;
  return summarizeFleet(cfg, out) as { throughputGbps: number; goodput: { receivingDomUs: number; domuGbps: Record<string, number>; jainIndex: number }; requests: { latencyUs: Record<string, number | null> } };
}

describe('fleet summary: per-DomU goodput', () => {
  it('p1, p50 and p99 are nearest-rank percentiles of the receiving DomUs', () => {
    // 200 receivers: DomU i read i × 1e9 bytes in 8 s, i Gb/s.
    const s = fleet(Array.from({ length: 200 }, (_, i) => (i + 1) * 1e9));
    expect(s.goodput.receivingDomUs).toBe(200);
    // Nearest rank: the ceil(q × n)-th smallest (2nd, 100th, 198th).
    expect(s.goodput.domuGbps).toMatchObject({ min: 1, p1: 2, p50: 100, p99: 198, max: 200, mean: 100.5 });
  });

  it('a DomU that only sends is outside the distribution, but its bytes count in the throughput', () => {
    const s = fleet([1e9, 2e9, 3e9, 0], new Set([3]));
    expect(s.goodput.receivingDomUs).toBe(3);
    expect(s.goodput.domuGbps.min).toBe(1);
    expect(s.throughputGbps).toBe(6);
  });

  it("Jain's index: 1 for equal shares, 1/n when one DomU gets everything, (Σx)² / (n Σx²) between", () => {
    expect(jainIndex([3, 3, 3, 3])).toBe(1);
    expect(jainIndex([5, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([1, 3])).toBeCloseTo(16 / 20, 12);
    expect(jainIndex([0, 0])).toBe(1);
    expect(jainIndex([])).toBe(1);
    expect(fleet([1e9, 3e9]).goodput.jainIndex).toBe(0.8);
  });
});

describe('request latency histogram', () => {
  it('16 log-linear buckets per power of two; a bucket reports its upper edge, within 6.25% above the value', () => {
    expect(bucketOf(1000)).not.toBe(bucketOf(1100));
    for (const ns of [1, 1.5, 3, 1000, 1023, 1024, 1090, 65_000, 1.23e9]) {
      const up = bucketUpperNs(bucketOf(ns));
      expect(up).toBeGreaterThan(ns);
      expect(up).toBeLessThanOrEqual(ns * 1.0625 + 1e-9);
    }
    // Edges: 1024 opens a bucket, whose upper edge is 1024 × 17/16.
    expect(bucketUpperNs(bucketOf(1024))).toBe(1088);
    expect(bucketOf(1023)).toBe(bucketOf(1024) - 1);
  });

  it('percentiles are nearest rank over the merged histograms of all hosts', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    // 10 requests: 9 at ~10 µs (one host), one at ~1 ms (another).
    for (let i = 0; i < 9; i++) a.add(10_000);
    b.add(1_000_000);
    const [p50, p90, p99] = percentilesNs([a.sparse(), b.sparse()], [0.5, 0.9, 0.99]);
    expect(p50).toBe(bucketUpperNs(bucketOf(10_000)));
    // The 9th of 10 is still a fast one; the 10th is the slow one.
    expect(p90).toBe(bucketUpperNs(bucketOf(10_000)));
    expect(p99).toBe(bucketUpperNs(bucketOf(1_000_000)));
    expect(percentilesNs([], [0.5])).toEqual([null]);
    const s = fleet([1e9], new Set(), [...a.sparse(), ...b.sparse()]);
    expect(s.requests.latencyUs.p99).toBe(Math.round(bucketUpperNs(bucketOf(1_000_000))) / 1e3);
  });
});
