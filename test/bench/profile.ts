// `npm run profile -- <scenario.yaml> [--set k=v]… [--duration 2s] [--out file] [--top N]`:
// a CPU profile of the simulation itself. piscina's workers are terminated
// before `--cpu-prof` would write theirs, so the partition task runs here, in
// this thread, as one partition (a fresh SharedArrayBuffer control block), under
// the inspector's profiler. Writes a .cpuprofile (open it in Chrome DevTools or
// speedscope) and prints the hottest functions by self time, with XState's
// interpreter and the garbage collector summed apart.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { SharedControl } from '../../src/kernel/barrier.ts';
import { runPartitionTask } from '../../src/kernel/partitionTask.ts';
import type { ModelModule } from '../../src/kernel/model.ts';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { MODELS } from '../../src/scenario/registry.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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
    const kind = classify(n.callFrame.url, fn);
    if (kind === 'xstate') xs++;
    if (kind === 'gc') gc++;
    const file = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|src|actors|test)\//, '$1/');
    const key = `${fn} ${file}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([fn, c]) => ({ fn, share: c / Math.max(1, counted) }));
  return { samples: counted, xstateShare: xs / Math.max(1, counted), gcShare: gc / Math.max(1, counted), top };
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

export async function profileScenario(file: string, opts: { sets?: string[]; duration?: string; out?: string; topN?: number; log?: (s: string) => void }): Promise<ProfileSummary> {
  const overrides = opts.duration ? { duration: opts.duration } : undefined;
  const [point] = loadScenario(file, { sets: opts.sets, overrides });
  if (!point) throw new Error(`${file}: no points`);
  const sc = point.scenario;
  const adapter = MODELS[sc.model]!;
  const model = MODEL_MODULES[sc.model] as ModelModule;
  const hosts = adapter.hostCount(sc);
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const t0 = process.hrtime.bigint();
  const out = runPartitionTask(
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
    model,
  );
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
  session.disconnect();
  if (out.error) throw new Error(`the run failed: ${out.error.message}`);
  if (opts.out) writeFileSync(opts.out, JSON.stringify(profile));
  const s = summarize(profile, opts.topN ?? 25);
  return { ...s, wallSeconds, virtualSeconds: out.reachedNs / 1e9, events: out.events, xstateEvents: out.xstateEvents };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sets: string[] = [];
  let file = '';
  let duration: string | undefined;
  let out = 'out/profile.cpuprofile';
  let topN = 25;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--set') sets.push(args[++i]!);
    else if (a === '--duration') duration = args[++i];
    else if (a === '--out') out = args[++i]!;
    else if (a === '--top') topN = Number(args[++i]);
    else if (!file) file = a;
    else {
      process.stderr.write(`profile: unexpected argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!file) {
    process.stderr.write('usage: npm run profile -- <scenario.yaml> [--set k=v]… [--duration 2s] [--out file] [--top N]\n');
    process.exit(2);
  }
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(out), { recursive: true });
  let s: ProfileSummary;
  try {
    s = await profileScenario(file, { sets, duration, out, topN });
  } catch (e) {
    // A scenario mistake is one line and exit 2, as with `vioemu run`.
    if (e instanceof ScenarioError) {
      process.stderr.write(`profile: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    `${file}: ${s.virtualSeconds.toFixed(3)} virtual s in ${s.wallSeconds.toFixed(2)} wall s (real-time factor ${(s.virtualSeconds / s.wallSeconds).toFixed(2)}), ` +
      `${s.events} kernel events, ${s.xstateEvents} XState events\n` +
      `XState interpreter ${pct(s.xstateShare)} of simulation CPU, garbage collection ${pct(s.gcShare)} (${s.samples} samples)\n` +
      s.top.map((t) => `${pct(t.share).padStart(6)}  ${t.fn}`).join('\n') +
      `\nwrote ${out}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
