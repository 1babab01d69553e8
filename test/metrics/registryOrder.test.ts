// The exposition does not depend on which partition's flush came first (--workers, a resume): series are
// listed in the order of their label values, so the final /metrics is byte for byte the same (README).
import { describe, expect, it } from 'vitest';
import type { MetricDef, MetricUpdate } from '../../src/kernel/metricSink.ts';
import { RunMetrics } from '../../src/metrics/registry.ts';

const defs: MetricDef[] = [
  { name: 'vioemu_c_total', help: 'C', type: 'counter', labelNames: ['host'] },
  { name: 'vioemu_g', help: 'G', type: 'gauge', labelNames: ['host'] },
  { name: 'vioemu_h_seconds', help: 'H', type: 'histogram', labelNames: ['host'], buckets: [0.001] },
];

const updates = (host: string, v: number): MetricUpdate[] => [
  { name: 'vioemu_c_total', labels: [host], value: v },
  { name: 'vioemu_g', labels: [host], value: v },
  { name: 'vioemu_h_seconds', labels: [host], value: v, sum: v / 1000, buckets: [v, 0] },
];

async function exposed(flushes: MetricUpdate[][]): Promise<string> {
  const reg = new RunMetrics(defs);
  for (const f of flushes) reg.apply(f);
  return reg.text();
}

describe('registry order', () => {
  it('is the same whichever host was flushed first', async () => {
    const a = await exposed([updates('h0', 1), updates('h1', 2)]);
    const b = await exposed([updates('h1', 2), updates('h0', 1)]);
    expect(b).toBe(a);
    expect(a.indexOf('vioemu_g{host="h0"}')).toBeLessThan(a.indexOf('vioemu_g{host="h1"}'));
  });
});
