// Checkpoint and resume through the real CLI: a run killed with SIGKILL at a
// random moment and resumed from its newest checkpoint — with 1 or 2 workers —
// gives the uninterrupted run's result JSON, OpenMetrics file and final
// /metrics byte for byte (wall-clock fields aside). Bad checkpoints exit 2
// naming the section. CHECKPOINT_KILLS sets the number of kills (5 in CI);
// set, it also writes the tally to out/checkpoint/kill9.json.
//
// The run is the soak scenario with its phases cut to seconds, so kills land
// in bulk transfer, in an idle gap and in small-message phases, and a
// checkpoint has to carry the phase clock and the traffic switched off.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/checkpoint/store.ts';
import { BIN, REPO, runCli, stripWall } from '../helpers/cli.ts';

const SCENARIO = 'scenarios/soak/net-soak.yaml';
const PHASES = 'net.phases=[{duration: 700ms, messageSize: 65536}, {duration: 300ms, active: false}, {duration: 500ms, messageSize: 4096}, {duration: 500ms, messageSize: 1024}]';
const BASE = ['--duration', '3s', '--set', 'warmup=300ms', '--set', PHASES, '--json', '--openmetrics-interval', '100ms'];
const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 5);

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Wall-clock series differ between any two runs. */
function metricsText(t: string): string {
  return t
    .split('\n')
    .filter((l) => !/^(# (HELP|TYPE) )?vioemu_(wall_time_seconds|realtime_factor)\b/.test(l))
    .join('\n');
}

interface Finished {
  code: number | null;
  result: unknown;
  metrics: string;
  openmetrics: string;
  stderr: string;
}

/**
 * Run the CLI with a metrics server that lingers after the run, fetch the
 * final /metrics then; `killWhen` may SIGKILL it first (then no outputs).
 */
function runWithMetrics(args: string[], omFile: string, killWhen?: (kill: () => void, stderr: () => string) => void): Promise<Finished | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--openmetrics', omFile, '--metrics-port', '0', '--metrics-linger', '30'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let metrics = '';
    let killed = false;
    let finished = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', async (d) => {
      stderr += d;
      const url = /metrics at (\S+)/.exec(stderr)?.[1];
      if (url && !finished && /serving final metrics/.test(stderr)) {
        finished = true; // the run is over: a kill now would only cut the scrape
        metrics = await (await fetch(url)).text();
        child.kill('SIGINT'); // ends the linger; the outputs are already written
      }
    });
    killWhen?.(
      () => {
        if (finished) return;
        killed = true;
        child.kill('SIGKILL');
      },
      () => stderr,
    );
    child.on('error', reject);
    child.on('close', (code) => {
      if (killed && !metrics) return resolve(null);
      resolve({ code, result: stdout ? JSON.parse(stdout) : null, metrics: metricsText(metrics), openmetrics: readFileSync(omFile, 'utf8'), stderr });
    });
  });
}

/** Deterministic pseudo-random kill delays (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let reference: Finished;
const tally = { resumedEqual: 0, finishedFirst: 0 };
afterAll(() => {
  const line = `kill -9: ${tally.resumedEqual} resumed runs equal the uninterrupted one; ${tally.finishedFirst} kills came after the run's end (of ${KILLS})`;
  console.log(line);
  if (process.env.CHECKPOINT_KILLS) {
    mkdirSync(join(REPO, 'out/checkpoint'), { recursive: true });
    writeFileSync(join(REPO, 'out/checkpoint/kill9.json'), JSON.stringify({ scenario: SCENARIO, kills: KILLS, ...tally, summary: line }, null, 2) + '\n');
  }
});

beforeAll(async () => {
  const r = await runWithMetrics(['run', SCENARIO, ...BASE, '--checkpoint', join(tmp, 'ref'), '--checkpoint-every', '250ms'], join(tmp, 'ref.om'));
  expect(r?.code, r?.stderr).toBe(130); // stopped by the SIGINT that ends the linger, after the outputs
  reference = r!;
  expect((reference.result as { throughputGbps: number }).throughputGbps).toBeGreaterThan(1);
  expect(reference.metrics).toMatch(/vioemu_netback_queue_drops_total|vioemu_/);
}, 120_000);

describe('kill -9 and resume', () => {
  it('a run with checkpoints gives the same result as one without', async () => {
    // Without --openmetrics, --openmetrics-interval is refused (it would change nothing).
    const plain = await runCli(['run', SCENARIO, ...BASE.slice(0, -2)]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(stripWall(JSON.parse(plain.stdout))).toEqual(stripWall(reference.result));
  }, 60_000);

  const draw = rng(20261130);
  for (let i = 0; i < KILLS; i++) {
    // After the k-th checkpoint (of 11) plus up to 60 ms: anywhere in the run, also while a checkpoint is written.
    const afterCheckpoints = 1 + Math.floor(draw() * 10);
    const waitMs = Math.round(draw() * 60);
    const workers = draw() < 0.5 ? 1 : 2;
    it(`killed ${waitMs} ms after checkpoint ${afterCheckpoints}, resumed with ${workers} worker(s)`, async () => {
      const dir = join(tmp, `k${i}`);
      const om = join(tmp, `k${i}.om`);
      const first = await runWithMetrics(['run', SCENARIO, ...BASE, '--checkpoint', dir, '--checkpoint-every', '250ms'], om, (kill, stderr) => {
        const poll = setInterval(() => {
          if ((stderr().match(/vioemu: checkpoint at/g)?.length ?? 0) >= afterCheckpoints) {
            clearInterval(poll);
            setTimeout(kill, waitMs);
          }
        }, 2);
      });
      // A kill after the run's end leaves a finished run: nothing to resume, and it must equal the reference.
      if (first) {
        expect(stripWall(first.result)).toEqual(stripWall(reference.result));
        tally.finishedFirst++;
        return;
      }
      const resumed = await runWithMetrics(['resume', dir, '--workers', String(workers), '--partition-by', 'hosts'], om);
      expect(resumed?.code, resumed?.stderr).toBe(130);
      expect(resumed!.stderr).toMatch(/resuming net-soak/);
      expect(stripWall(resumed!.result)).toEqual(stripWall(reference.result));
      expect(resumed!.openmetrics).toBe(reference.openmetrics);
      expect(resumed!.metrics).toBe(reference.metrics);
      tally.resumedEqual++;
    }, 120_000);
  }
});

describe('checkpoints that cannot be used exit 2 naming the section', () => {
  const newest = () => join(tmp, 'ref', readdirSync(join(tmp, 'ref')).filter((n) => n.endsWith('.vck')).sort().at(-1)!);

  it('keeps only the newest two, written whole', () => {
    const files = readdirSync(join(tmp, 'ref'));
    expect(files.filter((n) => n.endsWith('.vck')).sort()).toEqual(['ckpt-00000000002500000000.vck', 'ckpt-00000000002750000000.vck']);
    expect(files.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a flipped byte', async () => {
    const bytes = readFileSync(newest());
    bytes[bytes.length - 100] ^= 0xff;
    const f = join(tmp, 'flipped.vck');
    writeFileSync(f, bytes);
    const r = await runCli(['resume', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/checkpoint host:1: corrupt/);
  });

  it('a truncated file', async () => {
    const bytes = readFileSync(newest());
    const f = join(tmp, 'truncated.vck');
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = await runCli(['resume', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/checkpoint host:\d: truncated: \d+ of \d+ bytes/);
  });

  it('not a checkpoint, or no checkpoint in the folder', async () => {
    const f = join(tmp, 'text.vck');
    writeFileSync(f, 'hello\n');
    const a = await runCli(['resume', f]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/checkpoint header: not a vioemu checkpoint/);
    const b = await runCli(['resume', tmp]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/checkpoint file: no checkpoint/);
  });

  it('a checkpoint of another scenario (a host that does not fit) and of another version', async () => {
    const c = decode(readFileSync(newest()));
    const sc = c.meta.point.scenario as unknown as { net: { guests: number } };
    sc.net.guests = 2; // same host count, a different SUT (the soak has 3)
    const f = join(tmp, 'other.vck');
    writeFileSync(f, encode(c));
    const a = await runCli(['resume', f]);
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toMatch(/checkpoint host:1: the rebuilt host has \d+ objects where the checkpoint has \d+/);
    expect(a.stdout).toBe('');
    const v = decode(readFileSync(newest()));
    v.meta.vioemuVersion = '0.0.0-other';
    writeFileSync(f, encode(v));
    const b = await runCli(['resume', f]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/checkpoint meta: written by vioemu 0.0.0-other/);
  });

  it("a folder: a damaged newest checkpoint points at the one before it; another version's does not", async () => {
    const files = readdirSync(join(tmp, 'ref')).filter((n) => n.endsWith('.vck')).sort();
    const damaged = join(tmp, 'damaged-dir');
    mkdirSync(damaged);
    for (const n of files) writeFileSync(join(damaged, n), readFileSync(join(tmp, 'ref', n)));
    const last = join(damaged, files.at(-1)!);
    const bytes = readFileSync(last);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(last, bytes);
    const a = await runCli(['resume', damaged]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(new RegExp(`the one before it: vioemu resume .*${files[0]}`));
    const other = join(tmp, 'other-version-dir');
    mkdirSync(other);
    for (const n of files) {
      const c = decode(readFileSync(join(tmp, 'ref', n)));
      c.meta.vioemuVersion = '0.0.0-other';
      writeFileSync(join(other, n), encode(c));
    }
    const b = await runCli(['resume', other]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/checkpoint meta: written by vioemu 0.0.0-other/);
    expect(b.stderr).not.toMatch(/the one before it/);
  });

  it('a checkpoint whose checksums hold but whose scenario no file could give', async () => {
    const c = decode(readFileSync(newest()));
    (c.meta.point.scenario as unknown as { model: string }).model = 'xen'; // a net scenario's fields under another model
    const f = join(tmp, 'forged.vck');
    writeFileSync(f, encode(c));
    const r = await runCli(['resume', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/checkpoint meta: its scenario is not valid: /);
    expect(r.stderr).not.toMatch(/TypeError|\n\s+at /);
  });

  it('refuses a sweep, the ring demo, --trace, and a folder that holds another run', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'scenarios/paper/fig12-txqueuelen.yaml', '--checkpoint', join(tmp, 'x1')], /--checkpoint takes a single run/],
      [['run', 'scenarios/kernel/ring.yaml', '--checkpoint', join(tmp, 'x2')], /the ring model cannot be checkpointed/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'x3'), '--trace', join(tmp, 't.json')], /not with --trace/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'ref')], /already holds checkpoints.*vioemu resume/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'x4'), '--checkpoint-every', '0s'], /--checkpoint-every: too short: "0s"; at least 1\.000ms/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'x5'), '--checkpoint-every', '1ns'], /--checkpoint-every: too short/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'x6'), '--checkpoint-every', '87600h'], /--checkpoint-every: too long: "87600h" is beyond 2\^53 ns/],
      [['run', SCENARIO, '--checkpoint', join(tmp, 'x7'), '--checkpoint-every', 'soon'], /--checkpoint-every: not a duration: "soon"/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});
