// `npm run bench`: throughput of the kernel, XState hosting, partitions and
// models, and the CLI's start-up. Prints a table with each figure next to the
// previous entry of bench/history.jsonl (and the ratio, also with the
// machine's speed taken out), appends this run to that history and writes
// the JSON of this run. Benchmarks measure; tests assert.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Execution } from '../../src/run/execute.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { EXTRA_BENCHES, startupBench } from './extra.ts';
import {
  appendHistory, formatLine, formatPreamble, gitCommit, machine, previousEntry, readHistory, TABLE_HEADER,
  type BenchEntry, type HistoryEntry,
} from './history.ts';
import { plainEventsPerSecond, xstateEventsPerSecond, xstateTimersPerSecond } from './kernelBench.ts';
import { referenceEventsPerSecond } from './reference.ts';
import { soakBench } from './soakBench.ts';

export type { BenchEntry } from './history.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RING = fileURLToPath(new URL('../../scenarios/kernel/ring.yaml', import.meta.url));

async function ringRun(workers: number, sets: string[], partitionBy: 'auto' | 'hosts' = 'auto') {
  const points = loadScenario(RING, { sets });
  const [out] = await new Execution().run(points, { workers, partitionBy });
  return out!.result;
}

export interface BenchOptions {
  quick: boolean;
  /** This run's JSON; the history goes beside it (history.jsonl). */
  outFile: string;
  soak?: boolean;
  /** Where to append (default: history.jsonl beside outFile); null: do not. */
  historyFile?: string | null;
  log?: (line: string) => void;
}

export async function runBenchmarks(opts: BenchOptions): Promise<BenchEntry[]> {
  const log = opts.log ?? ((s: string) => void process.stdout.write(s + '\n'));
  const q = opts.quick ? 0.1 : 1;
  const historyFile = opts.historyFile === undefined ? join(dirname(opts.outFile), 'history.jsonl') : opts.historyFile;
  const history = historyFile ? readHistory(historyFile) : [];
  const prev = previousEntry(history, opts.quick);
  const head: Omit<HistoryEntry, 'entries' | 'reference'> = {
    ...gitCommit(ROOT),
    date: new Date().toISOString(),
    quick: opts.quick,
    soak: opts.soak ?? false,
    launch: process.env.VIOEMU_LAUNCH === 'dist' ? 'dist/' : process.env.VIOEMU_LAUNCH === 'source' ? 'TypeScript (tsx)' : 'in-process',
    machine: machine(),
  };
  for (const line of formatPreamble(head, prev)) log(line);

  // The machine's speed first: every ratio against another machine goes through it.
  const reference = referenceEventsPerSecond(Math.round(5_000_000 * q));
  const entries: BenchEntry[] = [];
  log(TABLE_HEADER);
  const add = (e: BenchEntry) => {
    entries.push(e);
    log(formatLine(e, reference, prev));
  };
  add({ name: 'machine reference (frozen kernel loop)', value: reference, unit: 'events/s' });
  plainEventsPerSecond(200_000);
  add({ name: 'kernel plain events/s', value: plainEventsPerSecond(Math.round(5_000_000 * q)), unit: 'events/s' });
  xstateEventsPerSecond(100_000);
  add({ name: 'XState-hosted events/s (state change + action)', value: xstateEventsPerSecond(Math.round(500_000 * q)), unit: 'events/s' });
  add({ name: 'XState-hosted events/s (targetless + action)', value: xstateEventsPerSecond(Math.round(500_000 * q), false), unit: 'events/s' });
  add({ name: 'XState delayed transitions/s (kernel clock)', value: xstateTimersPerSecond(Math.round(200_000 * q)), unit: 'events/s' });
  for (const workers of [1, 2]) {
    // Cross-partition traffic: every token hop goes to the next host (200 µs links: a split pays).
    const cross = await ringRun(workers, ['ring.actorKind=plain', 'ring.remoteFraction=1', 'ring.hosts=2', 'ring.actorsPerHost=256', 'ring.tokensPerActor=16', 'ring.meanHold=20us', 'ring.linkLatency=200us', `duration=${Math.round(400 * q)}ms`]);
    add({ name: 'ring plain: events/s', value: cross.events / cross.wallSeconds, unit: 'events/s', workers, note: `${cross.threads.partitions} partition(s)` });
    if (workers > 1) add({ name: 'cross-partition messages/s', value: cross.threads.crossPartitionMessages / cross.wallSeconds, unit: 'msgs/s', workers });
    // Windows: little work per window, 1 µs lookahead — split anyway (partition-by hosts) to time the barrier.
    if (workers > 1) {
      const win = await ringRun(workers, ['ring.actorKind=plain', 'ring.hosts=2', 'ring.actorsPerHost=1', 'ring.tokensPerActor=1', 'ring.meanHold=1us', 'ring.linkLatency=1us', 'ring.remoteFraction=1', `duration=${Math.round(200 * q)}ms`], 'hosts');
      add({ name: 'windows/s (barriers)', value: win.threads.windows / win.wallSeconds, unit: 'windows/s', workers });
    }
    const xs = await ringRun(workers, [`duration=${Math.round(1000 * q)}ms`]);
    add({ name: 'ring xstate (default scenario): real-time factor', value: xs.realTimeFactor, unit: 'virtual s / wall s', workers, note: `${xs.threads.partitions} partition(s)` });
  }
  for (const b of EXTRA_BENCHES) for (const e of await b(opts.quick)) add(e);
  if (opts.soak) for (const e of await soakBench(opts.quick)) add(e);
  for (const e of await startupBench(opts.quick)) add(e);

  const entry: HistoryEntry = { ...head, reference, entries };
  mkdirSync(dirname(opts.outFile), { recursive: true });
  writeFileSync(opts.outFile, JSON.stringify(entry, null, 2) + '\n');
  if (historyFile) appendHistory(historyFile, entry);
  log(`wrote ${opts.outFile}${historyFile ? `, appended to ${historyFile}` : ''}`);
  return entries;
}
