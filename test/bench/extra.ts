// Model benchmarks: the scheduler at scale, the paper's DomU path, native
// Linux at line rate, and the CLI's start-up.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../../scripts/sources.mjs';
import { createPartitionPool, Execution } from '../../src/run/execute.ts';
import type { RunResult } from '../../src/run/result.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { BenchEntry } from './history.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const file = (f: string) => fileURLToPath(new URL(`../../${f}`, import.meta.url));

async function runOnce(scenario: string, sets: string[], workers = 1) {
  const [out] = await new Execution().run(loadScenario(file(scenario), { sets }), { workers });
  return out!.result;
}

/**
 * One point on `workers` threads that have already started (a 1 µs run of the
 * same scenario first): wall time is the simulation's, without thread start-up.
 * The run uses the partitions that pay (src/run/partitioning.ts).
 */
async function runWarm(scenario: string, sets: string[], workers = 1): Promise<RunResult> {
  const pool = createPartitionPool(workers);
  try {
    const exec = new Execution();
    await exec.runPoint(pool, loadScenario(file(scenario), { sets: [...sets, 'duration=1us', 'warmup=0s'] })[0]!, 0, workers, { workers });
    const out = await exec.runPoint(pool, loadScenario(file(scenario), { sets })[0]!, 0, workers, { workers });
    if (out.result.error) throw new Error(`${scenario}: ${out.result.error}`);
    return out.result;
  } finally {
    await pool.destroy();
  }
}

async function schedBench(quick: boolean): Promise<BenchEntry[]> {
  const r = await runOnce('scenarios/sched/mixed-64.yaml', [`duration=${quick ? 200 : 1000}ms`]);
  return [
    { name: 'scheduler 8 PCPUs × 64 VCPUs: events/s', value: r.events / r.wallSeconds, unit: 'events/s', note: `${(r.xstateEvents / r.wallSeconds / 1e3).toFixed(0)}k XState events/s` },
    { name: 'scheduler 8 PCPUs × 64 VCPUs: real-time factor', value: r.realTimeFactor, unit: 'virtual s / wall s' },
  ];
}

async function domuBench(quick: boolean): Promise<BenchEntry[]> {
  const virtual = quick ? ['duration=500ms', 'warmup=100ms'] : ['duration=3s', 'warmup=1s'];
  const r = await runWarm('scenarios/paper/fig3-domu.yaml', virtual);
  const out: BenchEntry[] = [
    {
      name: `fig3-domu (${r.virtualSeconds} virtual s): real-time factor`,
      value: r.realTimeFactor,
      unit: 'virtual s / wall s',
      workers: 1,
      note: `${(r.events / r.wallSeconds / 1e3).toFixed(0)}k events/s, ${(r.xstateEventsPerVirtualSecond / 1e3).toFixed(0)}k XState events per virtual s; thread start-up excluded`,
    },
  ];
  if (!quick) {
    // More workers must never be slower: the 2 µs stressor→SUT link keeps the run on one partition.
    const r2 = await runWarm('scenarios/paper/fig3-domu.yaml', virtual, 2);
    out.push({ name: `fig3-domu (${r2.virtualSeconds} virtual s): real-time factor`, value: r2.realTimeFactor, unit: 'virtual s / wall s', workers: 2, note: `${r2.threads.partitions} partition(s): ${r2.threads.reason}` });
  }
  return out;
}

/** Native Linux with the stressor fast enough to fill the 10 GbE link: the SUT's receive path at line rate. */
async function lineRateBench(quick: boolean): Promise<BenchEntry[]> {
  const r = (await runWarm('scenarios/paper/fig3-linux.yaml', ['net.stressor.txCyclesPerPacket=1500', ...(quick ? ['duration=300ms', 'warmup=100ms'] : ['duration=2s', 'warmup=500ms'])])) as RunResult & {
    throughputGbps: number;
    retransmits: number;
    tcp: { segmentsSent: number };
  };
  const delivered = r.tcp.segmentsSent - r.retransmits;
  return [
    {
      name: 'native Linux at line rate: delivered segments/s',
      value: delivered / r.wallSeconds,
      unit: 'segments / wall s',
      workers: 1,
      note: `${r.throughputGbps} Gbps, ${r.retransmits} retransmits, real-time factor ${r.realTimeFactor.toFixed(2)}`,
    },
  ];
}

/** Wall seconds of `vioemu <args>` as a user starts it (a new process, bin/vioemu.js); the median of `runs`. */
function cliSeconds(args: string[], runs: number): { median: number; min: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [file('bin/vioemu.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`vioemu ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}


/**
 * Start-up of the CLI as shipped: dist/ is (re)built first if the sources
 * changed since. Runs last: a rebuild swaps dist/ under this process's own
 * worker threads.
 */
export async function startupBench(quick: boolean): Promise<BenchEntry[]> {
  const runs = quick ? 3 : 7;
  if (!distIsCurrent(ROOT.replace(/\/$/, ''))) {
    const b = spawnSync(process.execPath, [file('scripts/build.mjs'), '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed: ${b.stderr}`);
  }
  const measure = (args: string[]) => {
    const current = distIsCurrent(ROOT.replace(/\/$/, ''));
    const t = cliSeconds(args, runs);
    // Sources edited while measuring: some runs went through tsx; say so rather than hide it.
    const from = current && distIsCurrent(ROOT.replace(/\/$/, '')) ? 'dist/' : 'TypeScript through tsx (sources changed while measuring)';
    return { ...t, note: `median of ${runs}, min ${t.min.toFixed(3)} s, from ${from}` };
  };
  const minimal = measure(['run', 'scenarios/paper/fig3-domu.yaml', '--duration', '1us', '--set', 'warmup=0s', '--json']);
  const ring = measure(['run', 'scenarios/kernel/ring.yaml', '--set', 'duration=10ms', '--json']);
  return [
    { name: 'start-up: vioemu run fig3-domu, 1 µs (process wall)', value: minimal.median, unit: 's', kind: 'time', note: minimal.note },
    { name: 'short run: vioemu run ring.yaml, 10 ms (process wall)', value: ring.median, unit: 's', kind: 'time', note: ring.note },
  ];
}

export const EXTRA_BENCHES: ((quick: boolean) => Promise<BenchEntry[]>)[] = [schedBench, domuBench, lineRateBench];
