// Soak benchmark: one hour of virtual time of the network soak; peak RSS at
// 10% and 100% of the run must not differ by more than 10% (no unbounded
// buffers, histograms or label sets), and the real-time factor.
import { Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { BenchEntry } from './run.ts';

export async function soakBench(quick: boolean): Promise<BenchEntry[]> {
  const duration = quick ? '5m' : '1h';
  const points = loadScenario(new URL('../../scenarios/soak/net-soak.yaml', import.meta.url).pathname, { overrides: { duration } });
  let peak = 0;
  let peakAt10 = 0;
  const sample = (frac: number) => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (frac <= 0.1) peakAt10 = peak;
  };
  const [out] = await new Execution().run(points, {
    workers: 1,
    onProgress: (p) => sample(p.nowNs / p.endNs),
  });
  sample(1);
  const r = out!.result;
  const growth = peakAt10 > 0 ? peak / peakAt10 - 1 : 0;
  return [
    { name: `soak ${duration}: peak RSS at 10% of the run`, value: peakAt10 / 2 ** 20, unit: 'MiB' },
    { name: `soak ${duration}: peak RSS at 100% of the run`, value: peak / 2 ** 20, unit: 'MiB', note: `growth ${(100 * growth).toFixed(1)}% (${growth <= 0.1 ? 'ok, ≤ 10%' : 'OVER 10%'})` },
    { name: `soak ${duration}: real-time factor`, value: r.realTimeFactor, unit: 'virtual s / wall s' },
  ];
}
