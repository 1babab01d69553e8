// `npm run profile -- <scenario.yaml> [--set k=v]… [--duration 2s] [--out file] [--top N] [--alloc]`:
// a CPU profile of the simulation itself. piscina's workers are terminated
// before `--cpu-prof` would write theirs, so the partition task runs here, in
// this thread, as one partition (a fresh SharedArrayBuffer control block), under
// the inspector's profiler. Writes a .cpuprofile (open it in Chrome DevTools or
// speedscope) and prints the hottest functions by self time, with XState's
// interpreter and the garbage collector summed apart.
import { realpathSync, writeFileSync } from 'node:fs';
import { distIsCurrent } from '../../scripts/sources.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';
import { SharedControl } from '../../src/kernel/barrier.ts';
import { runPartitionTask, type PartitionTaskInput, type PartitionTaskOutput } from '../../src/kernel/partitionTask.ts';
import type { ModelModule } from '../../src/kernel/model.ts';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { checkOutputPath } from '../../src/cli/outputPaths.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { formatNs, parseDurationNs } from '../../src/kernel/time.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { MODELS } from '../../src/scenario/registry.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  samples: number;
  wallSeconds: number;
  virtualSeconds: number;
  events: number;
  xstateEvents: number;
  /** Self-time shares (0..1). */
  xstateShare: number;
  gcShare: number;
  top: { fn: string; share: number }[];
}

/** Where a frame belongs: XState's interpreter, the garbage collector, or our own code. */
export function classify(url: string, fn: string): 'xstate' | 'gc' | 'other' {
  if (fn === '(garbage collector)') return 'gc';
  if (/node_modules\/xstate\//.test(url)) return 'xstate';
  return 'other';
}

export function summarize(p: Profile, topN: number): Omit<ProfileSummary, 'wallSeconds' | 'virtualSeconds' | 'events' | 'xstateEvents'> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let xs = 0;
  let gc = 0;
  let counted = 0;
  for (const id of p.samples) {
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (fn === '(idle)' || fn === '(program)') continue;
    counted++;
    const place = sourcePlace(n.callFrame);
    // dist/ bundles XState: its source map says which code is XState's.
    const kind = classify(place.startsWith('node_modules/') ? `/${place}` : n.callFrame.url, fn);
    if (kind === 'xstate') xs++;
    if (kind === 'gc') gc++;
    const key = `${fn} ${place}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([fn, c]) => ({ fn, share: c / Math.max(1, counted) }));
  return { samples: counted, xstateShare: xs / Math.max(1, counted), gcShare: gc / Math.max(1, counted), top };
}

/**
 * Where a profiled function is in the TypeScript sources: the run profiled is dist/'s bundle (what
 * `vioemu run` runs), and its source map (node --enable-source-maps) names the file and line.
 */
function sourcePlace(f: { url: string; lineNumber: number; columnNumber?: number }): string {
  // A package's own folders (xstate/dist/…) are not ours: from the last node_modules/ on, else from src/, actors/, test/ or dist/.
  const short = (u: string) => {
    const nm = u.lastIndexOf('/node_modules/');
    return nm >= 0 ? u.slice(nm + 1) : u.replace(/^.*\/(src|actors|test|dist)\//, '$1/');
  };
  if (f.url.startsWith('file:') && f.columnNumber !== undefined) {
    const e = findSourceMap(f.url)?.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (e && e.originalSource && typeof e.originalLine === 'number') return `${short(new URL(e.originalSource, f.url).href)}:${e.originalLine + 1}`;
  }
  return `${short(f.url)}:${f.lineNumber + 1}`;
}

/**
 * The partition task as `vioemu run` runs it: dist/'s bundle when it matches the sources (npm run
 * profile builds it first), else the sources through tsx.
 */
async function partitionTask(): Promise<(input: PartitionTaskInput) => PartitionTaskOutput> {
  if (distIsCurrent(fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''))) {
    const dist = new URL('../../dist/worker.js', import.meta.url);
    return ((await import(dist.href)) as { default: (input: PartitionTaskInput) => PartitionTaskOutput }).default;
  }
  return (input) => runPartitionTask(input, MODEL_MODULES[input.model] as ModelModule);
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  selfSize: number;
  children: AllocNode[];
}

/** Bytes allocated per function (sampled, garbage included), largest first, as shares of all allocated. */
export function summarizeAllocations(head: AllocNode, topN: number): { totalBytes: number; top: { fn: string; share: number; bytes: number }[] } {
  const self = new Map<string, number>();
  let total = 0;
  const visit = (n: AllocNode): void => {
    if (n.selfSize > 0) {
      const key = `${n.callFrame.functionName || '(anonymous)'} ${sourcePlace(n.callFrame)}`;
      self.set(key, (self.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) visit(c);
  };
  visit(head);
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([fn, bytes]) => ({ fn, bytes, share: bytes / Math.max(1, total) }));
  return { totalBytes: total, top };
}

export async function profileScenario(
  file: string,
  opts: { sets?: string[]; duration?: string; out?: string; topN?: number; log?: (s: string) => void; alloc?: boolean },
): Promise<ProfileSummary & { alloc?: ReturnType<typeof summarizeAllocations> }> {
  let overrides: Record<string, string> | undefined = opts.duration ? { duration: opts.duration } : undefined;
  // A --duration no longer than the scenario's warm-up keeps a third of itself as warm-up (say so): profiling
  // wants the run, not an error.
  const points = (() => {
    try {
      return loadScenario(file, { sets: opts.sets, overrides });
    } catch (e) {
      if (!(e instanceof ScenarioError) || !opts.duration || !/^warmup: /.test(e.message.replace(/^[^:]*: /, ''))) throw e;
      const ns = parseDurationNs(opts.duration)!;
      overrides = { duration: opts.duration, warmup: `${Math.floor(ns / 3)}ns` };
      opts.log?.(`profile: --duration ${opts.duration} is not longer than the scenario's warm-up; warming up for ${formatNs(Math.floor(ns / 3))}`);
      return loadScenario(file, { sets: opts.sets, overrides });
    }
  })();
  const [point] = points;
  if (!point) throw new Error(`${file}: no points`);
  if (points.length > 1) opts.log?.(`profile: ${file} is a sweep of ${points.length} points; profiling the first (${point.label}); pick another with --set`);
  const sc = point.scenario;
  const adapter = MODELS[sc.model]!;
  const hosts = adapter.hostCount(sc);
  const task = await partitionTask(); // loaded before the profiler starts: module compilation is not the simulation
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  // --alloc: where the simulation allocates, short-lived objects included (the young generation's garbage is
  // what the scavenges and V8's helper threads spend their time on).
  if (opts.alloc) {
    await post(session, 'HeapProfiler.enable');
    await post(session, 'HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  }
  const t0 = process.hrtime.bigint();
  const out = task(
    {
      model: sc.model,
      cfg: { ...(adapter.workerConfig(sc) as object), seed: sc.seed, durationNs: sc.durationNs, warmupNs: sc.warmupNs },
      seed: sc.seed,
      endNs: sc.durationNs,
      lookaheadNs: Infinity,
      hostPartition: new Array(hosts).fill(0),
      partitions: 1,
      self: 0,
      controlBuffer: SharedControl.allocate(1),
      ports: [null],
      metricsPort: null,
      metricsIntervalMs: 1e9,
      build: { trace: false, perVcpuMetrics: false },
      pace: 0,
      sampleEveryNs: 0,
    },
  );
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
  const heap = opts.alloc ? (await post<{ profile: { head: AllocNode } }>(session, 'HeapProfiler.stopSampling')).profile : null;
  session.disconnect();
  if (out.error) throw new Error(`the run failed: ${out.error.message}`);
  if (opts.out) writeFileSync(opts.out, JSON.stringify(profile));
  const s = summarize(profile, opts.topN ?? 25);
  const alloc = heap ? { alloc: summarizeAllocations(heap.head, opts.topN ?? 25) } : {};
  return { ...s, ...alloc, wallSeconds, virtualSeconds: out.reachedNs / 1e9, events: out.events, xstateEvents: out.xstateEvents };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sets: string[] = [];
  let file = '';
  let duration: string | undefined;
  let out = 'out/profile.cpuprofile';
  let topN = 25;
  let alloc = false;
  const usage = (why: string): never => {
    process.stderr.write(`profile: ${why}\n`);
    process.exit(2);
  };
  const value = (flag: string, i: number): string => {
    const v = args[i];
    if (v === undefined || v.startsWith('--')) usage(`${flag} wants a value`);
    return v!;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--set') sets.push(value(a, ++i));
    else if (a === '--duration') {
      duration = value(a, ++i);
      if (parseDurationNs(duration) === null || parseDurationNs(duration)! < 1_000_000) usage(`--duration: not a duration of at least 1 ms: ${JSON.stringify(duration)} (e.g. 500ms, 2s)`);
    } else if (a === '--out') out = value(a, ++i);
    else if (a === '--alloc') alloc = true;
    else if (a === '--top') {
      topN = Number(value(a, ++i));
      if (!Number.isInteger(topN) || topN < 1) usage(`--top: want an integer >= 1, got ${JSON.stringify(args[i])}`);
    } else if (a.startsWith('--')) usage(`unknown flag ${a}`);
    else if (!file) file = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!file) {
    process.stderr.write('usage: npm run profile -- <scenario.yaml> [--set k=v]… [--duration 2s] [--out file] [--top N] [--alloc]\n');
    process.exit(2);
  }
  let s: Awaited<ReturnType<typeof profileScenario>>;
  try {
    // Checked (and its folder made) before the run, as `vioemu run` checks its output paths.
    checkOutputPath('--out', out, 'file');
    s = await profileScenario(file, { sets, duration, out, topN, alloc, log: (line) => process.stderr.write(line + '\n') });
  } catch (e) {
    // A scenario or flag mistake is one line and exit 2, as with `vioemu run`.
    if (e instanceof ScenarioError || e instanceof UsageError) usage(e.message);
    throw e;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    `${file}: ${s.virtualSeconds.toFixed(3)} virtual s in ${s.wallSeconds.toFixed(2)} wall s (real-time factor ${(s.virtualSeconds / s.wallSeconds).toFixed(2)}), ` +
      `${s.events} kernel events, ${s.xstateEvents} XState events\n` +
      `XState interpreter ${pct(s.xstateShare)} of simulation CPU, garbage collection ${pct(s.gcShare)} (${s.samples} samples)\n` +
      s.top.map((t) => `${pct(t.share).padStart(6)}  ${t.fn}`).join('\n') +
      (s.alloc
        ? `\nallocated ${(s.alloc.totalBytes / 2 ** 20).toFixed(0)} MiB (${(s.alloc.totalBytes / 2 ** 20 / s.wallSeconds).toFixed(0)} MiB per wall s, sampled), by function:\n` +
          s.alloc.top.map((t) => `${pct(t.share).padStart(6)}  ${(t.bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  ${t.fn}`).join('\n')
        : '') +
      `\nwrote ${out}\n`,
  );
}

// Run as a script (not imported by a test): argv[1] as a file URL (percent-encoded, as import.meta.url is:
// a folder with a space or a non-ASCII letter in its name made the two differ and the script did nothing).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main();
