// The /metrics exposition of every model passes `promtool check metrics`
// (names, HELP, units, counter suffixes), with every series present.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { createRunMetrics, metricDefsFor } from '../../src/run/execute.ts';

const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
if (!promtool) console.warn('SKIP exposition lint: no `promtool` on PATH (Debian package prometheus)');

describe.skipIf(!promtool)('promtool check metrics', () => {
  it.each(Object.keys(MODEL_MODULES))('model %s', async (model) => {
    const defs = metricDefsFor(model);
    const m = await createRunMetrics(model);
    m.apply(defs.map((d) => ({ name: d.name, labels: d.labelNames.map(() => 'x'), value: 1, buckets: d.buckets ? [...d.buckets, 0].map(() => 1) : undefined, sum: 0.5 })));
    const text = await m.text();
    for (const d of defs) expect(text).toMatch(new RegExp(`^# TYPE ${d.name} ${d.type}$`, 'm'));
    const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
