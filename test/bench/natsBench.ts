// `npm run bench -- --nats`: the windowed protocol over NATS on localhost vs
// the in-process barrier, for the same runs. Each run is `vioemu run` child
// processes as a user starts them: in-process `--workers 2`, and over NATS the
// coordinator (`--partition 0/2`) plus one partition process (`1/2`) through a
// nats-server this benchmark starts on 127.0.0.1 (an ephemeral port). Both
// runs have the same windows (the result says so); the figures are windows
// per wall second of simulation (start-up excluded) and the wall cost of one
// window, and the difference per window is the price of the network. Best of
// `repeat` runs each. Writes bench/nats.json. Benchmarks measure; tests assert.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, freePort } from './localNet.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/vioemu.js', import.meta.url));

interface Result {
  wallSeconds: number;
  startupWallSeconds: number;
  virtualSeconds: number;
  events: number;
  threads: { partitions: number; windows: number; crossPartitionMessages: number; lookaheadNs: number };
  error?: string;
}

interface Case {
  name: string;
  args: string[];
}

const CASES = (q: number): Case[] => [
  {
    name: 'barrier-bound: ring, 2 hosts, 1 token, 1 µs links',
    args: ['scenarios/kernel/ring.yaml', '--set', 'ring.actorKind=plain', '--set', 'ring.hosts=2', '--set', 'ring.actorsPerHost=1', '--set', 'ring.tokensPerActor=1', '--set', 'ring.meanHold=1us', '--set', 'ring.linkLatency=1us', '--set', 'ring.remoteFraction=1', '--duration', `${Math.round(20 * q)}ms`],
  },
  { name: 'kernel ring (default: 4 hosts, 128 XState actors, 20 µs links)', args: ['scenarios/kernel/ring.yaml', '--duration', `${Math.round(300 * q)}ms`] },
  { name: 'net: 3 stressor→SUT pairs, one pair split (2 µs lookahead)', args: ['scenarios/scale/pairs-8.yaml', '--set', 'net.pairs=3', '--set', 'warmup=10ms', '--duration', `${Math.round(60 * q)}ms`] },
];

function vioemu(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function parsed(what: string, r: { code: number | null; stdout: string; stderr: string }): Result {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as Result;
}

async function inProcess(c: Case): Promise<Result> {
  return parsed('in-process run', await vioemu(['run', ...c.args, '--partition-by', 'hosts', '--workers', '2', '--json']));
}

async function overNats(c: Case, url: string): Promise<Result> {
  const partition = vioemu(['run', '--transport', url, '--partition', '1/2']);
  const coord = await vioemu(['run', ...c.args, '--partition-by', 'hosts', '--transport', url, '--partition', '0/2', '--json']);
  const p = await partition;
  if (p.code !== 0) throw new Error(`partition 1/2 failed (exit ${p.code}): ${p.stderr.trim().split('\n').pop()}`);
  return parsed('run over NATS', coord);
}

const simSeconds = (r: Result) => r.wallSeconds - r.startupWallSeconds;

export interface NatsBenchRow {
  case: string;
  windows: number;
  crossPartitionMessages: number;
  lookaheadNs: number;
  inProcess: { windowsPerSecond: number; usPerWindow: number; simSeconds: number };
  nats: { windowsPerSecond: number; usPerWindow: number; simSeconds: number };
  /** Wall µs the network adds to each window. */
  natsOverheadUsPerWindow: number;
}

export async function runNatsBench(opts: { quick: boolean; outFile: string; repeat?: number; log?: (s: string) => void }): Promise<NatsBenchRow[]> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const natsBin = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  if (!natsBin) throw new Error('no `nats-server` on PATH (Debian: apt-get install nats-server)');
  const port = await freePort();
  const server = spawn(natsBin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const rows: NatsBenchRow[] = [];
  try {
    for (let i = 0; !(await canConnect(port)); i++) {
      if (i > 200) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const repeat = opts.repeat ?? (opts.quick ? 1 : 3);
    log(`nats bench: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), nats-server ${spawnSync(natsBin, ['--version'], { encoding: 'utf8' }).stdout.trim()} on ${url}, best of ${repeat}`);
    for (const c of CASES(opts.quick ? 0.25 : 1)) {
      let local: Result | null = null;
      let remote: Result | null = null;
      for (let i = 0; i < repeat; i++) {
        const a = await inProcess(c);
        const b = await overNats(c, url);
        if (a.threads.windows !== b.threads.windows) throw new Error(`${c.name}: ${a.threads.windows} windows in-process, ${b.threads.windows} over NATS`);
        if (!local || simSeconds(a) < simSeconds(local)) local = a;
        if (!remote || simSeconds(b) < simSeconds(remote)) remote = b;
      }
      const w = local!.threads.windows;
      const fig = (r: Result) => ({ windowsPerSecond: Math.round(w / simSeconds(r)), usPerWindow: Number(((simSeconds(r) / w) * 1e6).toFixed(1)), simSeconds: Number(simSeconds(r).toFixed(3)) });
      const row: NatsBenchRow = {
        case: c.name,
        windows: w,
        crossPartitionMessages: local!.threads.crossPartitionMessages,
        lookaheadNs: local!.threads.lookaheadNs,
        inProcess: fig(local!),
        nats: fig(remote!),
        natsOverheadUsPerWindow: Number((((simSeconds(remote!) - simSeconds(local!)) / w) * 1e6).toFixed(1)),
      };
      rows.push(row);
      log(`${row.case}: ${w} windows; in-process ${row.inProcess.windowsPerSecond} windows/s (${row.inProcess.usPerWindow} µs/window), NATS ${row.nats.windowsPerSecond} windows/s (${row.nats.usPerWindow} µs/window): +${row.natsOverheadUsPerWindow} µs per window`);
    }
  } finally {
    server.kill('SIGTERM');
  }
  mkdirSync(dirname(opts.outFile), { recursive: true });
  writeFileSync(opts.outFile, JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), rows }, null, 2) + '\n');
  log(`wrote ${opts.outFile}`);
  return rows;
}
