// The main thread's registry holds exactly the workers' values, whenever the
// flushes fell: float increments summed as deltas would round differently with
// flush timing (and after a resume, which starts from the saved values).
import { describe, expect, it } from 'vitest';
import { MetricSink, type MetricDef } from '../../src/kernel/metricSink.ts';
import { RunMetrics } from '../../src/metrics/registry.ts';

const defs: MetricDef[] = [
  { name: 'vioemu_t_seconds_total', help: 'T', type: 'counter', labelNames: ['host'] },
  { name: 'vioemu_h_seconds', help: 'H', type: 'histogram', labelNames: ['host'], buckets: [0.001, 0.01] },
];

function feed(flushEvery: number): { text: Promise<string>; sink: MetricSink } {
  const sink = new MetricSink();
  sink.define(defs);
  const reg = new RunMetrics(defs);
  for (let i = 1; i <= 5000; i++) {
    sink.inc('vioemu_t_seconds_total', ['a'], 0.1 + i * 1e-7);
    sink.observe('vioemu_h_seconds', ['a'], (i % 17) * 0.0007);
    if (i % flushEvery === 0) reg.apply(sink.flush());
  }
  reg.apply(sink.flush());
  return { text: reg.text(), sink };
}

describe('registry values', () => {
  it('equal the sink exactly for any flush cadence', async () => {
    const texts = await Promise.all([1, 7, 333, 5000].map((n) => feed(n).text));
    expect(new Set(texts).size).toBe(1);
    const { sink } = feed(1);
    expect(texts[0]).toContain(`vioemu_t_seconds_total{host="a"} ${sink.value('vioemu_t_seconds_total', ['a'])}`);
    expect(texts[0]).toMatch(/vioemu_h_seconds_count\{host="a"\} 5000/);
  });

  it('restored values are exposed as they were saved', async () => {
    const { sink } = feed(13);
    const saved = sink.exportSeries(() => true);
    const again = new MetricSink();
    again.define(defs);
    again.importSeries(saved);
    const reg = new RunMetrics(defs);
    reg.apply(again.flush());
    expect(await reg.text()).toBe(await feed(1).text);
  });

  it('exposes histogram buckets cumulatively, each with all the observations at or below its bound', async () => {
    const sink = new MetricSink();
    sink.define(defs);
    for (const x of [0.0005, 0.0005, 0.005, 0.5]) sink.observe('vioemu_h_seconds', ['a'], x);
    const reg = new RunMetrics(defs);
    reg.apply(sink.flush());
    const text = await reg.text();
    expect(text).toMatch(/vioemu_h_seconds_bucket\{host="a",le="0\.001"\} 2\n/);
    expect(text).toMatch(/vioemu_h_seconds_bucket\{host="a",le="0\.01"\} 3\n/);
    expect(text).toMatch(/vioemu_h_seconds_bucket\{host="a",le="\+Inf"\} 4\n/);
  });

  it('a label-less counter kept on the main thread adds only positive increments', async () => {
    const reg = new RunMetrics([{ name: 'vioemu_n_total', help: 'N', type: 'counter', labelNames: [] }]);
    reg.incCounter('vioemu_n_total', 3);
    reg.incCounter('vioemu_n_total', 0);
    reg.incCounter('vioemu_n_total', -1);
    expect(await reg.text()).toMatch(/^vioemu_n_total 3$/m);
  });
});
