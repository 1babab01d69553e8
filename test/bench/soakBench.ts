// Soak benchmark: one hour of virtual time of the network soak (5 min with
// --quick), with the run's metrics registry attached as in a live soak. Peak
// RSS at 10% and at 100% of the run should not differ by more than 10% (no
// unbounded buffers, histograms or label sets); and the real-time factor.
import { createRunMetrics, Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { BenchEntry } from './history.ts';

const SCENARIO = new URL('../../scenarios/soak/net-soak.yaml', import.meta.url).pathname;
const MiB = 2 ** 20;

export async function soakBench(quick: boolean): Promise<BenchEntry[]> {
  const duration = quick ? '5m' : '1h';
  const points = loadScenario(SCENARIO, { overrides: { duration } });
  const metrics = await createRunMetrics(points[0]!.scenario.model);
  let peak = 0;
  let peakAt10 = 0;
  let samplesAt10 = 0;
  let samples = 0;
  const sample = (frac: number) => {
    peak = Math.max(peak, process.memoryUsage().rss);
    samples++;
    if (frac <= 0.1) {
      peakAt10 = peak;
      samplesAt10++;
    }
  };
  const [out] = await new Execution().run(points, {
    workers: 1,
    metrics,
    onProgress: (p) => sample(p.nowNs / p.endNs),
  });
  sample(1);
  const r = out!.result;
  if (r.error) throw new Error(`soak run failed: ${r.error}`);
  const series = (await metrics.registry.getMetricsAsJSON()).reduce((n, m) => n + m.values.length, 0);
  const growth = samplesAt10 > 0 ? peak / peakAt10 - 1 : NaN;
  const verdict = Number.isNaN(growth) ? 'no RSS sample within the first 10% (run too fast to judge)' : growth <= 0.1 ? 'ok, ≤ 10%' : 'OVER 10%';
  const name = `soak ${duration} (net-soak)`;
  return [
    { name: `${name}: peak RSS at 10% of the run`, value: peakAt10 / MiB, unit: 'MiB', kind: 'size', note: `${samplesAt10} samples` },
    { name: `${name}: peak RSS at 100% of the run`, value: peak / MiB, unit: 'MiB', kind: 'size', note: `growth ${(100 * growth).toFixed(1)}% (${verdict}); ${samples} samples, ${series} exported samples in the registry` },
    { name: `${name}: real-time factor`, value: r.realTimeFactor, unit: 'virtual s / wall s', note: `${(r.events / r.wallSeconds / 1e3).toFixed(0)}k events/s` },
  ];
}
