// One run over NATS: `vioemu run … --transport nats://… --partition K/N`, one
// partition per process, through the real nats-server on 127.0.0.1 (an
// ephemeral port). The result equals the local run with as many workers; a
// partition's crash reads as it does locally; the server going away or a
// partition process dying ends the run with a clear error and the partial
// result, in bounded time; bad flags exit 2 naming the flag.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunFlags } from '../../src/cli/runCommand.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { checkClusterFlags } from '../../src/cluster/flags.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { BIN, REPO, runCli, stripWall } from '../helpers/cli.ts';
import { canConnect, freePort, until } from '../bench/localNet.ts';

const natsBin = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
if (!natsBin) console.warn('SKIP run --transport tests with NATS: no `nats-server` on PATH (Debian: apt-get install nats-server)');

const RING = 'scenarios/kernel/ring.yaml';
// 4 hosts over 2 partitions, 20 µs links: hops 1→2 and 3→0 cross, thousands of windows.
const SPLIT = [RING, '--seed', '7', '--duration', '100ms', '--partition-by', 'hosts', '--json'];

interface NatsServer {
  url: string;
  kill(): Promise<void>;
}

const servers: NatsServer[] = [];
const procs: ChildProcess[] = [];

async function startNats(config?: string): Promise<NatsServer> {
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (config !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'vioemu-nats-')), 'nats.conf');
    writeFileSync(file, config);
    args.push('-c', file);
  }
  const proc = spawn(natsBin, args, { stdio: 'ignore' });
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  const s: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await gone;
    },
  };
  servers.push(s);
  await until('nats-server to listen', () => canConnect(port), 10_000);
  return s;
}

/** A partition process (K >= 1): no scenario, it gets it from the coordinator. */
/**
 * Calls `then` once `text()` (a process's stderr so far) matches `re` (`until`'s polling). Never said within the
 * run's own timeout, it does nothing: the run's result fails the test.
 */
function whenSaid(text: () => string, re: RegExp, then: () => void): void {
  void until(`stderr to match ${re}`, () => re.test(text()), 60_000).then(then, () => {});
}

function startPartition(url: string, k: number, n: number, extra: string[] = []) {
  const proc = spawn(process.execPath, [BIN, 'run', '--transport', url, '--partition', `${k}/${n}`, ...extra], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let stderr = '';
  let stdout = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  proc.stdout!.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, stderr: () => stderr, stdout: () => stdout };
}

afterEach(async () => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.kill();
});

/** The flags as commander hands them over (defaults filled in), with `o` on top. */
const flags = (o: Partial<RunFlags>): RunFlags => ({
  set: [], workers: '1', partitionBy: 'auto', metricsHost: '127.0.0.1', openmetricsInterval: '1s', openmetricsEpoch: '1700000000', checkpointEvery: '60s', transportTimeout: '30s', ...o,
});
const T = 'nats://127.0.0.1:4222';
const SPLIT_FLAGS = { seed: '7', duration: '100ms', partitionBy: 'hosts', json: true } as const;

describe('bad --transport / --partition: refused naming the flag, before anything connects', () => {
  it.each<[string, string | undefined, Partial<RunFlags>, RegExp]>([
    ['--transport without --partition', RING, { ...SPLIT_FLAGS, transport: T }, /^--transport: needs --partition K\/N/],
    ['--partition without --transport', RING, { ...SPLIT_FLAGS, partition: '0/2' }, /^--partition: needs --transport nats:\/\/HOST:PORT/],
    ['K >= N', RING, { ...SPLIT_FLAGS, transport: T, partition: '3/2' }, /^--partition: want K\/N with 0 <= K < N/],
    ['not K/N', RING, { ...SPLIT_FLAGS, transport: T, partition: 'two' }, /^--partition: want K\/N/],
    ['another scheme', RING, { ...SPLIT_FLAGS, transport: 'http://127.0.0.1:4222', partition: '0/2' }, /^--transport: unsupported scheme "http"/],
    ['a port out of range', RING, { ...SPLIT_FLAGS, transport: 'nats://127.0.0.1:99999', partition: '0/2' }, /^--transport: port out of range/],
    ['no host', RING, { ...SPLIT_FLAGS, transport: 'nats://:4222', partition: '0/2' }, /^--transport: (no host|not a URL)/],
    ['an N the scenario cannot be split into', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/5' }, /^--partition 0\/5: this run splits into 4 partitions, not 5 .*use --partition 0\/4$/],
    ['N > 1 where auto keeps one partition', RING, { transport: T, partition: '0/2' }, /^--partition 0\/2: this run splits into 1 partition, not 2 \(.*--partition-by hosts/],
    ['--trace', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', trace: '/tmp/never.json' }, /^--trace: not available with --transport/],
    ['--checkpoint', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', checkpoint: '/tmp/never' }, /^--checkpoint: not available with --transport/],
    ['--metrics-port', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', metricsPort: '0' }, /^--metrics-port: not available with --transport/],
    ['--openmetrics', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', openmetrics: '/tmp/never.om' }, /^--openmetrics: not available with --transport/],
    ['--workers', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', workers: '2' }, /^--workers: not with --transport/],
    ['a short --transport-timeout', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', transportTimeout: '1s' }, /^--transport-timeout: want at least 2s/],
    ['a sweep', RING, { ...SPLIT_FLAGS, transport: T, partition: '0/2', set: ['sweep={ring.hosts: [2, 4]}'] }, /^--transport: splits one run, and .* is a sweep of 2 points/],
    ['a scenario for partition 1', RING, { transport: T, partition: '1/2' }, /^--partition 1\/2: only partition 0 \(the coordinator\) takes the scenario/],
    ['--json for partition 1', undefined, { transport: T, partition: '1/2', json: true }, /^--json: only partition 0 \(the coordinator\) takes it/],
    ['--set for partition 1', undefined, { transport: T, partition: '1/2', set: ['seed=2'] }, /^--set: only partition 0/],
    ['no scenario for partition 0', undefined, { transport: T, partition: '0/2' }, /^--partition 0\/2: partition 0 is the coordinator and needs the scenario/],
  ])('%s', (_name, file, o, message) => {
    expect(() => checkClusterFlags(file, flags(o))).toThrow(UsageError);
    expect(() => checkClusterFlags(file, flags(o))).toThrow(message);
  });

  it('scenario errors name the field, as without --transport', () => {
    expect(() => checkClusterFlags(RING, flags({ transport: T, partition: '0/2', partitionBy: 'hosts', set: ['ring.hosts=-1'] }))).toThrow(ScenarioError);
  });

  it('good flags: partition 0 gets the split, partition 1 nothing to load', () => {
    const c = checkClusterFlags(RING, flags({ ...SPLIT_FLAGS, transport: 'nats://tok@10.0.0.5', partition: '0/2' }));
    expect(c.target).toMatchObject({ host: '10.0.0.5', port: 4222, token: 'tok', shown: 'nats://10.0.0.5' });
    expect(c.coordinator!.plan.partitions).toBe(2);
    expect(checkClusterFlags(undefined, flags({ transport: 'tls://u:p@h:4333', partition: '1/2' }))).toMatchObject({ k: 1, n: 2, coordinator: null, target: { user: 'u', pass: 'p', tls: true, port: 4333 } });
  });
});

describe('bad flags on the command line: exit 2, one line, nothing on stdout', () => {
  it.each([
    [[...SPLIT, '--transport', T, '--partition', '3/2'], /^vioemu: --partition: want K\/N with 0 <= K < N/],
    [['--transport', T, '--partition', '1/2', '--json'], /^vioemu: --json: only partition 0 \(the coordinator\) takes it/],
    [[...SPLIT, '--transport', T, '--partition', '0/2', '--set', 'ring.hosts=-1'], /^vioemu: scenario error: .*ring\.hosts/],
    [[], /^vioemu: missing required argument 'scenario'/],
  ])('run %j', async (args, line) => {
    const r = await runCli(['run', ...args], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a server that takes the connection and never answers: exit 2 after the connect timeout, not a hang', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const r = await runCli(['run', ...SPLIT, '--transport', `nats://127.0.0.1:${port}`, '--partition', '0/2'], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`vioemu: --transport nats://127.0.0.1:${port}: cannot connect (TIMEOUT)`);
    } finally {
      silent.close();
    }
  });

  it.skipIf(!natsBin)('a server whose max_payload is too small for the protocol: exit 2 naming it (the coordinator used to wait forever)', async () => {
    const nats = await startNats('max_payload: 2048\n');
    const r = await runCli(['run', ...SPLIT, '--transport', nats.url, '--partition', '0/2'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`vioemu: --transport ${nats.url}: the server's max_payload is 2048 bytes; a run needs at least 4160`);
  });

  it.skipIf(!natsBin)('a scenario whose offer exceeds the server\'s max_payload: exit 2 naming the limit, not a silent wait', async () => {
    const nats = await startNats('max_payload: 4200\n');
    const big = 'x'.repeat(6000); // the resolved scenario travels in the offer
    const r = await runCli(['run', ...SPLIT, '--set', `name=${big}`, '--transport', nats.url, '--partition', '0/2'], { timeoutMs: 20_000 });
    expect(r.signal, r.stderr).toBe(null); // not killed by the timeout
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^vioemu: --transport ${nats.url.replace(/\./g, '\\.')}: this run's offer \\(the resolved scenario, \\d+ bytes\\) is larger than the server's max_payload \\(4200 bytes\\)`));
  });

  it('a server that cannot be reached: exit 2, one line', async () => {
    const port = await freePort();
    const r = await runCli(['run', ...SPLIT, '--transport', `nats://127.0.0.1:${port}`, '--partition', '0/2'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`vioemu: --transport nats://127.0.0.1:${port}: cannot connect (ECONNREFUSED)`);
  });
});

describe.skipIf(!natsBin)('one run over NATS, a partition per process', () => {
  it('a partition whose acceptance comes after the offer timed out (paused 4 s) still takes part: no deadlock', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 2);
    await until('partition 1 to wait for a coordinator', () => /waiting for the coordinator/.test(p1.stderr()), 30_000);
    p1.proc.kill('SIGSTOP'); // a pause (GC, a frozen VM, a slow link) while the offer arrives
    const r = await runCli(['run', ...SPLIT, '--transport', nats.url, '--partition', '0/2'], {
      timeoutMs: 40_000,
      onSpawn: (_kill, stderr) => {
        // The first request timed out (3 s): resume the partition, which then answers the stale offer first.
        whenSaid(stderr, /waiting for partition 1\/2/, () => void setTimeout(() => p1.proc.kill('SIGCONT'), 1000));
      },
    });
    expect(r.signal, r.stderr).toBe(null); // not killed by the timeout
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).interrupted).toBe(false);
    expect(await p1.exited).toBe(0);
  });

  it('a partition process waiting for a run of 3 is not ended by the offer of a 2-partition run on the same server', async () => {
    const nats = await startNats();
    const other = startPartition(nats.url, 1, 3); // someone else's, waiting for a run of 3 partitions
    await until('partition 1/3 to wait for a coordinator', () => /waiting for the coordinator/.test(other.stderr()), 30_000);
    let p1: ReturnType<typeof startPartition> | undefined;
    const r = await runCli(['run', ...SPLIT, '--transport', nats.url, '--partition', '0/2'], {
      timeoutMs: 60_000,
      onSpawn: (_kill, stderr) => {
        // The offer of partition 1/2 went to the only process in the queue group, the other run's: now start this run's own.
        whenSaid(stderr, /declined partition 1\/2: started with --partition 1\/3/, () => void (p1 = startPartition(nats.url, 1, 2)));
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await p1!.exited).toBe(0);
    // The other run's process is still there, waiting for its own coordinator (it used to exit 2).
    expect(other.proc.exitCode, other.stderr()).toBe(null);
    expect(other.stderr()).toMatch(/declined partition 1 of \S+'s run: it runs 2 partitions, this process was started with --partition 1\/3; still waiting for a run of 3/);
  });

  it('2 partitions in two processes = the local run with --workers 2 (same windows, same result JSON)', async () => {
    const nats = await startNats();
    // One after the other: tests in other files share the cores.
    const local = await runCli(['run', ...SPLIT, '--workers', '2']);
    const p1 = startPartition(nats.url, 1, 2);
    const remote = await runCli(['run', ...SPLIT, '--transport', nats.url, '--partition', '0/2']);
    expect(local.code, local.stderr).toBe(0);
    expect(remote.code, remote.stderr).toBe(0);
    expect(await p1.exited).toBe(0);
    const a = JSON.parse(local.stdout);
    const b = JSON.parse(remote.stdout);
    expect(a.remoteSent).toBeGreaterThan(1000);
    expect(b.threads.partitions).toBe(2);
    expect(b.threads.windows).toBe(a.threads.windows);
    expect(b.threads.crossPartitionMessages).toBe(a.threads.crossPartitionMessages);
    expect(b.threads.reason).toMatch(/2 processes over NATS$/);
    expect(stripWall(b)).toEqual(stripWall(a));
    expect(p1.stderr()).toMatch(/partition 1\/2 done at virtual time 100\.000ms: \d+ events, \d+ windows; output sent to /);
  });

  it('a partition that crashes: the same error as locally (exit 1), the other partition leaves the barrier', async () => {
    const nats = await startNats();
    const args = [...SPLIT, '--set', 'ring.crashAt=10ms'];
    const local = await runCli(['run', ...args, '--workers', '2']);
    const p1 = startPartition(nats.url, 1, 2);
    const remote = await runCli(['run', ...args, '--transport', nats.url, '--partition', '0/2']);
    expect(local.code).toBe(1);
    expect(remote.code).toBe(1);
    expect(await p1.exited).toBe(1);
    const a = JSON.parse(local.stdout);
    const b = JSON.parse(remote.stdout);
    // The same failure, reported the same way. (How far the other partition got is not compared: in
    // the in-process barrier it depends on timing — it may leave before or after the crashing window.)
    for (const k of ['error', 'errorAt', 'interrupted', 'scenario', 'seed'] as const) expect(b[k], k).toEqual(a[k]);
    expect(b.error).toMatch(/^Error: injected crash .*\(partition 0, virtual time 10\.000ms\)$/);
    expect(b.virtualSeconds).toBeGreaterThan(0.009);
    expect(b.virtualSeconds).toBeLessThanOrEqual(0.01);
    expect(remote.stderr).toMatch(/run failed: Error: injected crash/);
  });

  it('the server going away mid-run: a clear error and the partial result, no hang', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 2);
    const t0 = Date.now();
    let killedAt = 0;
    const r = await runCli(['run', RING, '--duration', '1h', '--partition-by', 'hosts', '--json', '--transport', nats.url, '--partition', '0/2'], {
      timeoutMs: 60_000,
      onSpawn: () => {
        // Once partition 1 has made progress.
        whenSaid(p1.stderr, /partition 1\/2 of run/, () => void setTimeout(() => void nats.kill().then(() => (killedAt = Date.now())), 2500));
      },
    });
    expect(killedAt).toBeGreaterThan(0);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThanOrEqual(0);
    expect(res.virtualSeconds).toBeLessThan(3600);
    expect(res.delivered).toBeGreaterThanOrEqual(0);
    expect(res.error).toMatch(new RegExp(`^TransportError: NATS server at ${nats.url.replace(/\./g, '\\.')} went away at virtual time \\d`));
    expect(r.stderr).toMatch(/went away at virtual time [\d.]+\w?s; writing the partial result/);
    expect(await p1.exited).toBe(1);
    expect(p1.stderr()).toMatch(/NATS server at nats:\/\/127\.0\.0\.1:\d+ went away at virtual time [\d.]+\w?s; this partition's output did not reach the coordinator/);
    expect(Date.now() - t0).toBeLessThan(40_000);
  });

  it('a partition process stopped (Ctrl-C) before the run started: the coordinator says so, not "another partition failed"', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 3); // partition 2 of 3 is never started: the run waits for it
    const r = await runCli(['run', ...SPLIT, '--transport', nats.url, '--partition', '0/3'], {
      timeoutMs: 60_000,
      onSpawn: () => {
        whenSaid(p1.stderr, /partition 1\/3 of run/, () => void p1.proc.kill('SIGINT'));
      },
    });
    expect(await p1.exited).toBe(130);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/vioemu: partition 1 \(\S+\) was stopped before the run started; nothing ran/);
    expect(r.stderr).not.toMatch(/another partition failed/);
  });

  it('Ctrl-C on the coordinator while a partition is silent (frozen): the partial result within seconds, not after --transport-timeout', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 2);
    let interruptedAt = 0;
    const r = await runCli(['run', RING, '--duration', '1h', '--partition-by', 'hosts', '--json', '--transport', nats.url, '--partition', '0/2', '--transport-timeout', '25s'], {
      timeoutMs: 60_000,
      onSpawn: (kill) => {
        whenSaid(p1.stderr, /partition 1\/2 of run/, () => {
          // Partition 1's process freezes mid-run (a stopped VM, a machine cut off); the user presses Ctrl-C a second later.
          setTimeout(() => p1.proc.kill('SIGSTOP'), 2000);
          setTimeout(() => {
            interruptedAt = Date.now();
            kill('SIGINT');
          }, 3000);
        });
      },
    });
    const took = Date.now() - interruptedAt;
    expect(interruptedAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(130);
    const res = JSON.parse(r.stdout);
    expect(res.interrupted).toBe(true);
    expect(res.error).toMatch(/^TransportError: partition 1 sent nothing for \d+ s while this process was stopping \(its process stopped or the network is cut\)/);
    expect(took).toBeLessThan(12_000); // it waited out the whole --transport-timeout (25 s)
  });

  it('a partition process that dies: the others give up after --transport-timeout with the partial result', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 2);
    const r = await runCli(['run', RING, '--duration', '1h', '--partition-by', 'hosts', '--json', '--transport', nats.url, '--partition', '0/2', '--transport-timeout', '2s'], {
      timeoutMs: 60_000,
      onSpawn: () => {
        whenSaid(p1.stderr, /partition 1\/2 of run/, () => void setTimeout(() => p1.proc.kill('SIGKILL'), 2000));
      },
    });
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout);
    // The partial result (how far it got depends on the machine's load: at least the start).
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThanOrEqual(0);
    expect(res.virtualSeconds).toBeLessThan(3600);
    expect(res.delivered).toBeGreaterThanOrEqual(0);
    expect(res.error).toMatch(/^TransportError: partition 1 sent nothing for 2 s \(its process stopped or the network is cut\)/);
  });

  it('the coordinator killed mid-run: the partition process says the coordinator is gone and exits 1 after --transport-timeout', async () => {
    const nats = await startNats();
    const p1 = startPartition(nats.url, 1, 2);
    let killedAt = 0;
    const r = await runCli(['run', RING, '--duration', '1h', '--partition-by', 'hosts', '--json', '--transport', nats.url, '--partition', '0/2', '--transport-timeout', '2s'], {
      timeoutMs: 60_000,
      onSpawn: (kill) => {
        whenSaid(p1.stderr, /partition 1\/2 of run/, () => {
          setTimeout(() => {
            killedAt = Date.now();
            kill('SIGKILL');
          }, 2000);
        });
      },
    });
    expect(r.signal).toBe('SIGKILL');
    expect(killedAt).toBeGreaterThan(0);
    expect(await p1.exited).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(p1.stderr()).toMatch(/vioemu: the coordinator \S+ is gone \(partition 0 sent nothing for 2 s \(its process stopped or the network is cut\)\); partition 1 stopped at virtual time [\d.]+\w?s and its output is lost/);
    // Not "partition 1 failed …; output sent to <the dead coordinator>".
    expect(p1.stderr()).not.toMatch(/output sent to|partition 1 failed/);
  });
});
