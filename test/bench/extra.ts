// Model benchmarks: the scheduler at scale, the paper's DomU path, the soak.
import { Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { BenchEntry } from './run.ts';

async function runOnce(file: string, sets: string[], workers = 1) {
  const [out] = await new Execution().run(loadScenario(new URL(`../../${file}`, import.meta.url).pathname, { sets }), { workers });
  return out!.result;
}

async function schedBench(quick: boolean): Promise<BenchEntry[]> {
  const r = await runOnce('scenarios/sched/mixed-64.yaml', [`duration=${quick ? 200 : 1000}ms`]);
  return [
    { name: 'scheduler 8 PCPUs × 64 VCPUs: events/s', value: r.events / r.wallSeconds, unit: 'events/s', note: `${(r.xstateEvents / r.wallSeconds / 1e3).toFixed(0)}k XState events/s` },
    { name: 'scheduler 8 PCPUs × 64 VCPUs: real-time factor', value: r.realTimeFactor, unit: 'virtual s / wall s' },
  ];
}

async function domuBench(quick: boolean): Promise<BenchEntry[]> {
  const out: BenchEntry[] = [];
  for (const workers of quick ? [1] : [1, 2]) {
    const r = await runOnce('scenarios/paper/fig3-domu.yaml', quick ? ['duration=1s', 'warmup=200ms'] : [], workers);
    out.push({ name: 'fig3-domu: real-time factor', value: r.realTimeFactor, unit: 'virtual s / wall s', workers, note: `${(r.events / r.wallSeconds / 1e3).toFixed(0)}k events/s, ${(r.xstateEventsPerVirtualSecond / 1e3).toFixed(0)}k XState events per virtual s` });
  }
  return out;
}

export const EXTRA_BENCHES: ((quick: boolean) => Promise<BenchEntry[]>)[] = [schedBench, domuBench];
