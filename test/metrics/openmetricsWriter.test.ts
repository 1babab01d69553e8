// OpenMetricsWriter on its own: probe filtering, partitions joined per
// instant, histogram MetricPoints, number spellings, the probe step.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricDef } from '../../src/kernel/metricSink.ts';
import { coreMetricDefs } from '../../src/metrics/coreMetrics.ts';
import { formatNumber, OpenMetricsWriter } from '../../src/metrics/openmetrics.ts';

const defs: MetricDef[] = [
  ...coreMetricDefs,
  { name: 'vioemu_x_bytes_total', help: 'Bytes "x"', type: 'counter', labelNames: ['host'] },
  { name: 'vioemu_depth', help: 'Depth', type: 'gauge', labelNames: ['host'] },
  { name: 'vioemu_lat_seconds', help: 'Latency', type: 'histogram', labelNames: ['host'], buckets: [0.001, 0.01] },
];

describe('OpenMetricsWriter', () => {
  it('keeps whole-interval probes only and joins partitions per instant', () => {
    const w = new OpenMetricsWriter(defs, 1000, 1e9);
    for (let t = 1e7; t <= 2e9; t += 1e7) {
      for (const part of [1, 0]) {
        const host = `h${part}`;
        w.add(part, 2, t, [
          { name: 'vioemu_x_bytes_total', labels: [host], value: t / 1e7 },
          { name: 'vioemu_depth', labels: [host], value: part - 0.5 },
          { name: 'vioemu_lat_seconds', labels: [host], value: 3, buckets: [1, 0, 2], sum: 0.25 },
        ], 10);
      }
    }
    expect(w.samples).toBe(2);
    expect(w.render()).toBe(
      [
        '# TYPE vioemu_depth gauge',
        '# HELP vioemu_depth Depth',
        'vioemu_depth{host="h0"} -0.5 1001.000',
        'vioemu_depth{host="h0"} -0.5 1002.000',
        'vioemu_depth{host="h1"} 0.5 1001.000',
        'vioemu_depth{host="h1"} 0.5 1002.000',
        '# TYPE vioemu_events counter',
        '# HELP vioemu_events Kernel events processed',
        'vioemu_events_total 20 1001.000',
        'vioemu_events_total 20 1002.000',
        '# TYPE vioemu_lat_seconds histogram',
        '# HELP vioemu_lat_seconds Latency',
        '# UNIT vioemu_lat_seconds seconds',
        ...['h0', 'h1'].flatMap((h) =>
          ['1001.000', '1002.000'].flatMap((ts) => [
            `vioemu_lat_seconds_bucket{host="${h}",le="0.001"} 1 ${ts}`,
            `vioemu_lat_seconds_bucket{host="${h}",le="0.01"} 1 ${ts}`,
            `vioemu_lat_seconds_bucket{host="${h}",le="+Inf"} 3 ${ts}`,
            `vioemu_lat_seconds_count{host="${h}"} 3 ${ts}`,
            `vioemu_lat_seconds_sum{host="${h}"} 0.25 ${ts}`,
          ]),
        ),
        '# TYPE vioemu_virtual_time_seconds gauge',
        '# HELP vioemu_virtual_time_seconds Virtual time reached by the simulation (min over partitions)',
        '# UNIT vioemu_virtual_time_seconds seconds',
        'vioemu_virtual_time_seconds 1 1001.000',
        'vioemu_virtual_time_seconds 2 1002.000',
        '# TYPE vioemu_x_bytes counter',
        '# HELP vioemu_x_bytes Bytes \\"x\\"',
        '# UNIT vioemu_x_bytes bytes',
        'vioemu_x_bytes_total{host="h0"} 100 1001.000',
        'vioemu_x_bytes_total{host="h0"} 200 1002.000',
        'vioemu_x_bytes_total{host="h1"} 100 1001.000',
        'vioemu_x_bytes_total{host="h1"} 200 1002.000',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('adds up a series reported by two partitions at one instant, and fills a gap with the last value', () => {
    const w = new OpenMetricsWriter(defs, 0, 1e9);
    w.add(0, 2, 1e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 5 }], 0);
    w.add(1, 2, 1e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 7 }], 0);
    w.add(0, 1, 3e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 20 }], 0);
    expect(w.render().split('\n').filter((l) => l.startsWith('vioemu_x_bytes_total'))).toEqual([
      'vioemu_x_bytes_total{host="a"} 12 1.000',
      'vioemu_x_bytes_total{host="a"} 12 2.000',
      'vioemu_x_bytes_total{host="a"} 20 3.000',
    ]);
  });

  it('a gauge reported by two partitions at one instant takes the last value, not their sum', () => {
    const w = new OpenMetricsWriter(defs, 0, 1e9);
    w.add(0, 2, 1e9, [{ name: 'vioemu_depth', labels: ['a'], value: 5 }], 0);
    w.add(1, 2, 1e9, [{ name: 'vioemu_depth', labels: ['a'], value: 7 }], 0);
    expect(w.render().split('\n').filter((l) => l.startsWith('vioemu_depth{'))).toEqual(['vioemu_depth{host="a"} 7 1.000']);
  });

  it('leaves the wall-clock series out', () => {
    const w = new OpenMetricsWriter(defs, 0, 1e9);
    w.add(0, 1, 1e9, [{ name: 'vioemu_wall_time_seconds', labels: [], value: 3 }, { name: 'vioemu_realtime_factor', labels: [], value: 3 }], 0);
    expect(w.render()).not.toMatch(/wall_time|realtime_factor/);
  });

  it('spells numbers as OpenMetrics does', () => {
    expect([1, 0.1 + 0.2, 1e-7, 12345678901234, Infinity, -Infinity, NaN].map(formatNumber)).toEqual(['1', '0.3', '1e-7', '12345678901234', '+Inf', '-Inf', 'NaN']);
  });

  it('asks the workers for samples at whole intervals only; intervals are whole milliseconds', () => {
    expect(new OpenMetricsWriter(defs, 0, 1e9).probeEveryNs).toBe(1e9);
    expect(() => new OpenMetricsWriter(defs, 0, 1.5e6)).toThrow(/whole number of milliseconds/);
  });

  it('a checkpoint carries the samples up to its instant; loading them continues the same file', () => {
    const feed = (w: OpenMetricsWriter, k: number) => w.add(0, 1, k * 1e9, [
      { name: 'vioemu_x_bytes_total', labels: ['a'], value: 10 * k },
      { name: 'vioemu_lat_seconds', labels: ['a'], value: k, buckets: [k, 0, 0], sum: k / 1000 },
    ], k);
    const whole = new OpenMetricsWriter(defs, 0, 1e9);
    for (let k = 1; k <= 5; k++) feed(whole, k);
    const first = new OpenMetricsWriter(defs, 0, 1e9);
    for (let k = 1; k <= 4; k++) feed(first, k); // a sample past the checkpoint instant arrived already
    const st = first.state(2.5e9);
    expect(st.samples).toBe(2);
    const resumed = new OpenMetricsWriter(defs, 0, 1e9);
    resumed.load(structuredClone(st));
    for (let k = 3; k <= 5; k++) feed(resumed, k);
    expect(resumed.render()).toBe(whole.render());
    expect(() => new OpenMetricsWriter(defs, 0, 2e9).load(st)).toThrow(/every/);
    // Samples dated from another epoch would not continue the same file either.
    expect(() => new OpenMetricsWriter(defs, 1000, 1e9).load(st)).toThrow(/from epoch 0/);
  });

  it('a series that first appears after the checkpoint instant is not in the checkpoint', () => {
    const w = new OpenMetricsWriter(defs, 0, 1e9);
    w.add(0, 1, 1e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 1 }], 0);
    w.add(0, 1, 2e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 2 }], 0);
    w.add(0, 1, 3e9, [{ name: 'vioemu_x_bytes_total', labels: ['a'], value: 3 }, { name: 'vioemu_x_bytes_total', labels: ['late'], value: 9 }], 0);
    const st = w.state(2e9);
    expect(st.samples).toBe(2);
    expect(st.series.filter((s) => s.name === 'vioemu_x_bytes_total').map((s) => [s.labels[0], s.values])).toEqual([['a', [1, 2]]]);
  });
});

describe('OpenMetricsWriter.write', () => {
  it('replaces the file whole or not at all: a write that fails midway leaves the earlier file and no temporary one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-omwrite-'));
    try {
      const file = join(dir, 'soak.om');
      const w = new OpenMetricsWriter(defs, 1000, 1e9);
      w.add(0, 1, 1e9, [{ name: 'vioemu_depth', labels: ['h0'], value: 1 }], 10);
      w.write(file);
      const before = readFileSync(file, 'utf8');
      expect(before.endsWith('# EOF\n')).toBe(true);
      // The disk fills (or the process dies) after the first lines went out.
      const failing = Object.create(w) as OpenMetricsWriter;
      failing.lines = function* () {
        yield '# TYPE vioemu_depth gauge';
        throw new Error('ENOSPC: no space left on device');
      };
      expect(() => failing.write(file)).toThrow(/ENOSPC/);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(readdirSync(dir)).toEqual(['soak.om']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OpenMetricsWriter.write through a symbolic link', () => {
  it('writes where the link points and keeps the link (as /dev/stdout -> /proc/self/fd/1 when stdout goes to a file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-omlink-'));
    try {
      const real = join(dir, 'real.om');
      const link = join(dir, 'link.om');
      writeFileSync(real, 'earlier\n');
      symlinkSync(real, link);
      const w = new OpenMetricsWriter(defs, 1000, 1e9);
      w.add(0, 1, 1e9, [{ name: 'vioemu_depth', labels: ['h0'], value: 1 }], 10);
      w.write(link);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(real, 'utf8')).toBe(w.render());
      expect(readdirSync(dir).sort()).toEqual(['link.om', 'real.om']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
