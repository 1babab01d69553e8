// A sweep serves one /metrics for all its points and no label tells them apart.
// A worker sends each series' cumulative value and the server keeps the last
// one sent, so a host's counters show the point that wrote them last (the next
// point starts them again from 0): they do not add up over the points, as the
// stderr note and docs/metrics.md said. Only vioemu_events_total, counted on
// the main thread, does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepMetricsNote } from '../../src/cli/runCommand.ts';
import { createRunMetrics, Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { XenHostResult } from '../../src/xen/results.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-sweep-series-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SCENARIO = `name: sweep-series
model: xen
duration: 100ms
sweep:
  xen.hosts.0.domains.2.workload.interval: [700us, 1100us]
xen:
  hosts:
    - name: sut
      domains:
        - { name: dom0, vcpus: 2, workload: { kind: io-wake, interval: 1ms, burstCycles: 30000 } }
        - { name: hog, vcpus: 4, workload: { kind: cpu-hog } }
        - { name: io, vcpus: 4, workload: { kind: io-wake, interval: 700us, burstCycles: 15000 } }
`;

const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe("a sweep's shared metric series", () => {
  it('hold the last point written, except vioemu_events_total, as the note and docs/metrics.md say', async () => {
    const file = join(tmp, 'sweep.yaml');
    writeFileSync(file, SCENARIO);
    const points = loadScenario(file);
    expect(points).toHaveLength(2);
    const metrics = await createRunMetrics('xen');
    const outs = await new Execution().run(points, { workers: 1, metrics });
    const text = await metrics.text();
    const wakeups = outs.map((o) => ((o.result.hosts as XenHostResult[])[0]!.domains.find((d) => d.name === 'io')!.wakeups));
    expect(wakeups[0]).not.toBe(wakeups[1]);
    // No warm-up: a point's counter is its result's. The series holds the second point's, not the sum.
    expect(value(text, 'vioemu_sched_wakeups_total{host="sut",domain="io"}')).toBe(wakeups[1]);
    expect(value(text, 'vioemu_events_total')).toBe(outs[0]!.result.events + outs[1]!.result.events);

    const note = sweepMetricsNote(2);
    expect(note).not.toMatch(/counters add up/);
    expect(note).toMatch(/counters too/);
    expect(note).toMatch(/only vioemu_events_total adds up/);
    const doc = readFileSync('docs/metrics.md', 'utf8').replace(/\s+/g, ' ');
    expect(doc).not.toMatch(/counters add up over the points/);
    expect(doc).toMatch(/only `vioemu_events_total` adds up over the points/);
  }, 120_000);
});
