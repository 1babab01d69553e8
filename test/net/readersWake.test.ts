// A DomU with two VCPUs: iperf's reader threads are spread over both (flow f's reader on VCPU
// f mod 2), and the data netfront delivers on one VCPU wakes the reader waiting on the other
// (sk_data_ready). Every connection is read, not only those whose reader shares netfront's VCPU.
// (Per-connection goodput is far from fair over short windows — flows back off in turn — so the
// check is over the whole run, and only that each connection got somewhere.)
import { describe, expect, it } from 'vitest';
import type { SutCounters } from '../../src/net/sut.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('reader threads on another VCPU of the DomU', () => {
  it('each of the 8 connections is read, those of the second VCPU\'s reader too', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=300ms', 'warmup=0ms', 'net.domu.vcpus=2']);
    const parts = built.hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
    built.sim.runUntil(built.sc.durationNs);
    const { summary } = collectInProcess(built);
    expect(summary.throughputGbps).toBeGreaterThan(1);
    const perFlow = parts.stack.receivers.map((r) => r.stats().bytesRead);
    expect(perFlow).toHaveLength(8);
    // Left unwoken, the second VCPU's reader reads nothing at all (flows 1, 3, 5, 7: 0 bytes).
    for (const [f, b] of perFlow.entries()) expect(b, `flow ${f}`).toBeGreaterThan(100_000);
  });
});
