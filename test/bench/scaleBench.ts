// `npm run bench -- --scale`: fleets at scale, each run a `vioemu run` child
// process as a user starts it. dc-1024 (1024 DomUs) for 10 virtual s on 2
// workers: wall time, real-time factor, peak RSS (VmHWM of the process and
// its worker threads), memory per DomU. rack-16x16 on 1 and on 2 workers
// (split with --partition-by hosts, which auto would not do for it): the
// speedup, next to the machine's parallel capacity measured in the same
// sitting — two independent single-worker runs side by side — and the
// parallel efficiency = speedup ÷ capacity. Benchmarks measure; tests assert.
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEntry } from './history.ts';
import { gitCommit, machine } from './history.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/vioemu.js', import.meta.url));
const GiB = 2 ** 30;
const MiB = 2 ** 20;

interface ChildRun {
  result: { wallSeconds: number; startupWallSeconds?: number; realTimeFactor: number; virtualSeconds: number; events: number; threads: { partitions: number; lookaheadNs: number; windows: number }; fleet?: { domus: number }; throughputGbps?: number; error?: string };
  /** Peak resident set of the process (VmHWM), bytes. */
  peakRssBytes: number;
  /** Simulation wall time (thread start-up excluded). */
  simSeconds: number;
}

/** Peak RSS so far of a live process (Linux: VmHWM in /proc/PID/status), 0 when unknown. */
function vmHwmBytes(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function run(file: string, workers: number, sets: string[], flags: string[] = []): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', file, '--json', '--workers', String(workers), ...flags, ...sets.flatMap((s) => ['--set', s])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // VmHWM only grows: the last reading before the process ends is its peak (polled, so a peak in the last 100 ms may be missed).
    const poll = setInterval(() => (peak = Math.max(peak, vmHwmBytes(child.pid!))), 100);
    child.on('error', reject);
    child.on('exit', () => clearInterval(poll));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`vioemu run ${file} --workers ${workers} exited ${code}: ${err.trim().split('\n').pop()}`));
      const result = JSON.parse(out) as ChildRun['result'];
      if (result.error) return reject(new Error(`${file}: ${result.error}`));
      resolve({ result, peakRssBytes: peak, simSeconds: result.wallSeconds - (result.startupWallSeconds ?? 0) });
    });
  });
}

export interface ScaleBenchOptions {
  quick: boolean;
  outFile: string;
  log?: (line: string) => void;
}

export async function runScaleBench(opts: ScaleBenchOptions): Promise<BenchEntry[]> {
  const log = opts.log ?? ((s: string) => void process.stdout.write(s + '\n'));
  const q = opts.quick;
  const entries: BenchEntry[] = [];
  const add = (e: BenchEntry) => {
    entries.push(e);
    const v = e.value >= 100 ? e.value.toFixed(0) : e.value >= 1 ? e.value.toFixed(2) : e.value.toPrecision(3);
    log(`${e.name.padEnd(58)} ${v.padStart(10)} ${e.unit}${e.note ? `   (${e.note})` : ''}`);
  };
  log(`scale benchmark on ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}${q ? ' (--quick)' : ''}`);

  // dc-1024: 10 virtual s on 2 workers; a one-DomU fleet gives the process's own footprint.
  const dcDuration = q ? '300ms' : '10s';
  const dcSets = [`duration=${dcDuration}`, `warmup=${q ? '100ms' : '1s'}`];
  const base = await run('scenarios/scale/dc-1024.yaml', 2, ['duration=1ms', 'warmup=0s', 'net.fleet.topology.racks.0.count=2', 'net.fleet.topology.racks.0.hosts.0.count=1', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=1']);
  const dc = await run('scenarios/scale/dc-1024.yaml', 2, dcSets);
  const domus = dc.result.fleet?.domus ?? 1024;
  add({ name: `dc-1024 (${dcDuration} virtual, 2 workers): wall time`, value: dc.simSeconds, unit: 's', kind: 'time', note: `+ ${(dc.result.startupWallSeconds ?? 0).toFixed(1)} s start-up; ${(dc.result.events / dc.simSeconds / 1e3).toFixed(0)}k events/s; ${dc.result.threads.windows} windows, lookahead ${dc.result.threads.lookaheadNs} ns` });
  add({ name: 'dc-1024: real-time factor', value: dc.result.realTimeFactor, unit: 'virtual s / wall s', note: `goodput ${dc.result.throughputGbps} Gb/s` });
  add({ name: 'dc-1024: peak RSS', value: dc.peakRssBytes / GiB, unit: 'GiB', kind: 'size', note: dc.peakRssBytes <= 8 * GiB ? 'ok, ≤ 8 GiB' : 'OVER 8 GiB' });
  add({ name: 'dc-1024: memory per DomU', value: (dc.peakRssBytes - base.peakRssBytes) / domus / MiB, unit: 'MiB', kind: 'size', note: `(peak − ${(base.peakRssBytes / MiB).toFixed(0)} MiB of a 2-host fleet) ÷ ${domus} DomUs` });

  // rack-16x16: 1 worker, 2 workers, and two 1-worker runs side by side (the machine's parallel capacity).
  const rackSets = [`duration=${q ? '100ms' : '1s'}`, `warmup=${q ? '20ms' : '200ms'}`];
  const rack = 'scenarios/scale/rack-16x16.yaml';
  const one = await run(rack, 1, rackSets);
  // The split itself (auto keeps so small a fleet on one partition: too little work per 2 µs window).
  const two = await run(rack, 2, rackSets, ['--partition-by', 'hosts']);
  const auto = await run(rack, 2, ['duration=1ms', 'warmup=0s']);
  const pair = await Promise.all([run(rack, 1, rackSets), run(rack, 1, rackSets)]);
  const pairSeconds = Math.max(pair[0].simSeconds, pair[1].simSeconds);
  const speedup = one.simSeconds / two.simSeconds;
  const capacity = (2 * one.simSeconds) / pairSeconds;
  add({ name: 'rack-16x16, 1 worker: wall time', value: one.simSeconds, unit: 's', kind: 'time', note: `real-time factor ${one.result.realTimeFactor.toFixed(3)}` });
  add({ name: 'rack-16x16, 2 workers: wall time', value: two.simSeconds, unit: 's', kind: 'time', note: `--partition-by hosts: ${two.result.threads.partitions} partitions, lookahead ${two.result.threads.lookaheadNs} ns, ${two.result.threads.windows} windows; auto would use ${auto.result.threads.partitions}` });
  add({ name: 'rack-16x16: 2-worker speedup', value: speedup, unit: '×' });
  add({ name: 'machine parallel capacity (two 1-worker runs side by side)', value: capacity, unit: '×', note: `both done in ${pairSeconds.toFixed(1)} s vs ${one.simSeconds.toFixed(1)} s alone` });
  add({ name: 'parallel efficiency (speedup ÷ capacity)', value: speedup / capacity, unit: '', note: speedup / capacity >= 0.85 ? 'goal ≥ 0.85 met' : 'below the 0.85 goal' });

  const doc = { ...gitCommit(ROOT), date: new Date().toISOString(), quick: q, machine: machine(), entries };
  mkdirSync(dirname(opts.outFile), { recursive: true });
  writeFileSync(opts.outFile, JSON.stringify(doc, null, 2) + '\n');
  log(`wrote ${opts.outFile}`);
  return entries;
}
