// A sweep serves one /metrics for all its points. Each series carries the point
// that wrote it: without the label, a worker's cumulative values replaced each
// other's, so a host's counters showed whichever point wrote last (the next
// point starting them again from 0, a counter reset to Prometheus), and points
// side by side switched between their values.
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

const series = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));

describe("a sweep's metric series", () => {
  it.each([1, 2])("are each point's own, labelled with the point, with %i worker(s)", async (workers) => {
    const file = join(tmp, `sweep-${workers}.yaml`);
    writeFileSync(file, SCENARIO);
    const points = loadScenario(file);
    expect(points).toHaveLength(2);
    const metrics = await createRunMetrics('xen', { perPoint: true });
    const outs = await new Execution().run(points, { workers, metrics });
    const text = await metrics.text();
    const wakeups = outs.map((o) => (o.result.hosts as XenHostResult[])[0]!.domains.find((d) => d.name === 'io')!.wakeups);
    expect(wakeups[0]).not.toBe(wakeups[1]);
    points.forEach((p, i) => {
      const pl = `point="${p.label}"`;
      // No warm-up: a point's counter is its result's, whichever point finished last.
      expect(value(text, `vioemu_sched_wakeups_total{${pl},host="sut",domain="io"}`)).toBe(wakeups[i]);
      expect(value(text, `vioemu_events_total{${pl}}`)).toBe(outs[i]!.result.events);
      expect(value(text, `vioemu_virtual_time_seconds{${pl}}`)).toBe(0.1);
    });
    // Every series says which point it is (none left over without the label).
    for (const name of ['vioemu_sched_wakeups_total', 'vioemu_events_total', 'vioemu_realtime_factor']) {
      const lines = series(text, name);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.includes('point="'))).toBe(true);
    }
  }, 120_000);

  it('a single run has no point label (its exposition is unchanged)', async () => {
    const file = join(tmp, 'single.yaml');
    writeFileSync(file, SCENARIO.replace(/sweep:\n.*\n/, ''));
    const points = loadScenario(file);
    expect(points).toHaveLength(1);
    const metrics = await createRunMetrics('xen', { perPoint: points.length > 1 });
    const outs = await new Execution().run(points, { workers: 1, metrics });
    const text = await metrics.text();
    expect(text).not.toMatch(/point="/);
    expect(value(text, 'vioemu_events_total')).toBe(outs[0]!.result.events);
  }, 120_000);

  it('the note on stderr and docs/metrics.md say so', () => {
    const note = sweepMetricsNote(2);
    expect(note).toMatch(/point="/);
    const doc = readFileSync('docs/metrics.md', 'utf8').replace(/\s+/g, ' ');
    expect(doc).toMatch(/every series carries a `point` label/);
    expect(doc).not.toMatch(/no label tells the points apart/);
  });
});
