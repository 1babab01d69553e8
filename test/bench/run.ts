// `npm run bench`: throughput of the kernel, XState hosting, partitions and
// models. Prints a table and writes JSON. Benchmarks measure; tests assert.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import { Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { plainEventsPerSecond, xstateEventsPerSecond, xstateTimersPerSecond } from './kernelBench.ts';
import { EXTRA_BENCHES } from './extra.ts';
import { soakBench } from './soakBench.ts';

export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  workers?: number;
  note?: string;
}

const RING = new URL('../../scenarios/kernel/ring.yaml', import.meta.url).pathname;

async function ringRun(workers: number, sets: string[]) {
  const points = loadScenario(RING, { sets });
  const [out] = await new Execution().run(points, { workers });
  return out!.result;
}

export async function runBenchmarks(opts: { quick: boolean; outFile: string; soak?: boolean }): Promise<BenchEntry[]> {
  const q = opts.quick ? 0.1 : 1;
  const entries: BenchEntry[] = [];
  const add = (e: BenchEntry) => {
    entries.push(e);
    const v = e.value >= 1e6 ? `${(e.value / 1e6).toFixed(2)}M` : e.value >= 1e3 ? `${(e.value / 1e3).toFixed(1)}k` : e.value.toFixed(3);
    process.stdout.write(`${e.name.padEnd(48)} ${v.padStart(10)} ${e.unit}${e.workers ? `  (workers ${e.workers})` : ''}${e.note ? `  ${e.note}` : ''}\n`);
  };
  plainEventsPerSecond(200_000);
  add({ name: 'kernel plain events/s', value: plainEventsPerSecond(Math.round(5_000_000 * q)), unit: 'events/s' });
  xstateEventsPerSecond(100_000);
  add({ name: 'XState-hosted events/s (state change + action)', value: xstateEventsPerSecond(Math.round(500_000 * q)), unit: 'events/s' });
  add({ name: 'XState-hosted events/s (targetless + action)', value: xstateEventsPerSecond(Math.round(500_000 * q), false), unit: 'events/s' });
  add({ name: 'XState delayed transitions/s (kernel clock)', value: xstateTimersPerSecond(Math.round(200_000 * q)), unit: 'events/s' });
  for (const workers of [1, 2]) {
    // Cross-partition traffic: every token hop goes to the next host.
    const cross = await ringRun(workers, ['ring.actorKind=plain', 'ring.remoteFraction=1', 'ring.hosts=2', 'ring.actorsPerHost=256', 'ring.tokensPerActor=16', 'ring.meanHold=20us', 'ring.linkLatency=200us', `duration=${Math.round(400 * q)}ms`]);
    const t = cross.threads;
    add({ name: 'ring plain: events/s', value: cross.events / cross.wallSeconds, unit: 'events/s', workers });
    if (workers > 1) add({ name: 'cross-partition messages/s', value: t.crossPartitionMessages / cross.wallSeconds, unit: 'msgs/s', workers });
    // Windows: little work per window, short lookahead.
    const win = await ringRun(workers, ['ring.actorKind=plain', 'ring.hosts=2', 'ring.actorsPerHost=1', 'ring.tokensPerActor=1', 'ring.meanHold=1us', 'ring.linkLatency=1us', 'ring.remoteFraction=1', `duration=${Math.round(200 * q)}ms`]);
    if (workers > 1) add({ name: 'windows/s (barriers)', value: win.threads.windows / win.wallSeconds, unit: 'windows/s', workers });
    const xs = await ringRun(workers, [`duration=${Math.round(1000 * q)}ms`]);
    add({ name: 'ring xstate (default scenario): real-time factor', value: xs.realTimeFactor, unit: 'virtual s / wall s', workers });
  }
  for (const b of EXTRA_BENCHES) for (const e of await b(opts.quick)) add(e);
  if (opts.soak) for (const e of await soakBench(opts.quick)) add(e);
  const doc = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, quick: opts.quick, entries };
  mkdirSync(dirname(opts.outFile), { recursive: true });
  writeFileSync(opts.outFile, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write(`wrote ${opts.outFile}\n`);
  return entries;
}
