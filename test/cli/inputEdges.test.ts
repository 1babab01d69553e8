// Input edges found on main (issue 11): each used to run, exit 1 with a stack
// trace, or name the wrong field. Now: exit 2, one line naming the field, nothing run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-edges-'));
const empty = join(dir, 'empty.yaml');
writeFileSync(empty, '');
const modelless = join(dir, 'modelless.yaml');
writeFileSync(modelless, 'name: no-model\nduration: 1s\n');
const RING = 'scenarios/kernel/ring.yaml';
const aFile = join(dir, 'a-file');
writeFileSync(aFile, '');

const cases: [string, string[], RegExp][] = [
  ['empty file (validate)', ['validate', empty], /empty\.yaml: model: missing: the scenario is empty/],
  ['empty file (run)', ['run', empty], /empty\.yaml: model: missing/],
  ['file without model', ['run', modelless], /modelless\.yaml: model: missing/],
  ['ring.hosts: 1e12', ['run', RING, '--set', 'ring.hosts=1e12'], /ring\.hosts: at most 4096 hosts/],
  ['seed 2^32 + 1', ['run', RING, '--seed', '4294967297'], /seed: want an integer in 0\.\.4294967295 .*got 4294967297$/],
  ['seed 1e300', ['run', RING, '--set', 'seed=1e300'], /seed: want an integer in 0\.\.4294967295 .*got 1e\+300$/],
  ['--seed -1', ['validate', RING, '--seed', '-1'], /seed: want an integer .*got -1$/],
  ['--set ..=1', ['validate', RING, '--set', '..=1'], /--set: "\.\.=1" has an empty name in its field path/],
  ['--set =1', ['validate', RING, '--set', '=1'], /--set: "=1" has an empty field path/],
  ['--set ring..hosts=1', ['validate', RING, '--set', 'ring..hosts=1'], /--set: "ring\.\.hosts=1" has an empty name/],
  ['duration 0 (not blamed on warmup)', ['run', RING, '--duration', '0'], /: duration: must be positive, got 0 ns$/],
  ['duration 87600h', ['run', RING, '--duration', '87600h'], /duration: too long: "87600h" is beyond 2\^53 ns/],
  // --duration read a bare number its own way: 1.5 ran 2 ns where --set duration=1.5 was refused.
  ['--duration 1.5 (a bare number is integer ns)', ['run', RING, '--duration', '1.5'], /: duration: a bare number is integer ns, got 1\.5 /],
  ['a quoted duration without a unit', ['run', RING, '--set', 'ring.linkLatency="2.5"'], /: ring\.linkLatency: a bare number is integer ns, got "2\.5" /],
  ['duration 1e300 ns', ['validate', RING, '--set', 'duration=1e300'], /duration: too long: 1e\+300 is beyond 2\^53 ns/],
  ['unknown key: did you mean', ['validate', RING, '--set', 'ring.actorsPerHots=3'], /ring\.actorsPerHots: unknown field \(did you mean ring\.actorsPerHost\?\)/],
  ['--metrics-port 70000', ['run', RING, '--metrics-port', '70000'], /^vioemu: --metrics-port: want an integer in 0\.\.65535, got "70000"$/],
  ['--metrics-port -1', ['run', RING, '--metrics-port', '-1'], /--metrics-port: want an integer in 0\.\.65535, got "-1"$/],
  ['--metrics-port abc', ['run', RING, '--metrics-port', 'abc'], /--metrics-port: want an integer in 0\.\.65535, got "abc"$/],
  // Found by a fuzz of the CLI: each used to run first (or write a useless file) and fail at the end.
  ['--trace of a sweep', ['run', 'scenarios/paper/fig12-txqueuelen.yaml', '--trace', join(dir, 't.json')], /^vioemu: --trace takes a single run, not a sweep of 5 points/],
  ['bench --out under a file', ['bench', '--quick', '--out', join(aFile, 'r.json')], /^vioemu: --out: .*a-file is a file, not a folder/],
  ['sensitivity --seeds with an empty item', ['sensitivity', '--seeds', '1,,2'], /^vioemu: --seeds: want integers 0\.\.2\^32-1, got "1,,2"$/],
  // Past Node's longest timer (2^31 - 1 ms) the linger ended after 1 ms with a TimeoutOverflowWarning, having said it would serve on.
  ['--metrics-linger beyond a timer', ['run', RING, '--metrics-port', '0', '--metrics-linger', '3000000'], /^vioemu: --metrics-linger: at most 2147483 \(about 24 days, the longest timer Node keeps\), got "3000000"$/],
  // 1e308 wrote every OpenMetrics timestamp as Infinity.
  ['--openmetrics-epoch beyond any timestamp', ['run', RING, '--openmetrics', join(dir, 'e.om'), '--openmetrics-epoch', '1e308'], /^vioemu: --openmetrics-epoch: at most 253402300799 \(9999-12-31T23:59:59Z\), got "1e308"$/],
  // Flags that tune another flag, given without it: each was accepted and changed nothing (--transport-timeout was not even read).
  ['--checkpoint-every without --checkpoint', ['run', 'scenarios/soak/net-soak.yaml', '--duration', '10ms', '--checkpoint-every', '5ms'], /^vioemu: --checkpoint-every: only with --checkpoint, which this command was not given/],
  ['--openmetrics-interval without --openmetrics', ['run', RING, '--openmetrics-interval', '2s'], /^vioemu: --openmetrics-interval: only with --openmetrics/],
  ['--openmetrics-epoch without --openmetrics', ['run', RING, '--openmetrics-epoch', '0'], /^vioemu: --openmetrics-epoch: only with --openmetrics/],
  ['--metrics-linger without --metrics-port', ['run', RING, '--metrics-linger', '5'], /^vioemu: --metrics-linger: only with --metrics-port/],
  ['--metrics-host without --metrics-port', ['sweep', RING, '--metrics-host', '::1'], /^vioemu: --metrics-host: only with --metrics-port/],
  ['--transport-timeout without --transport', ['run', RING, '--transport-timeout', 'soon'], /^vioemu: --transport-timeout: only with --transport/],
  ['resume --metrics-linger without --metrics-port', ['resume', join(dir, 'no-checkpoint'), '--metrics-linger', '5'], /^vioemu: --metrics-linger: only with --metrics-port/],
  ['--metrics-host that is not ours', ['run', RING, '--metrics-port', '0', '--metrics-host', '192.0.2.1'], /^vioemu: --metrics-host: cannot listen on "192\.0\.2\.1"/],
];

describe('bad input exits 2 in one line naming the field, before running', () => {
  it.concurrent.each(cases)('%s', async (_name, args, expected) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});

describe('a tuning flag on a command that lacks the flag it tunes', () => {
  it('resume --checkpoint-every is its own (the run keeps checkpointing into its folder): not refused as alone', async () => {
    const r = await runCli(['resume', join(dir, 'no-checkpoint'), '--checkpoint-every', '10s']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/only with --checkpoint/);
    expect(r.stderr).toMatch(/no-checkpoint/);
  });
});

describe('no command', () => {
  it('is a mistake: the usage on stderr, exit 2; --help and `help` still exit 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: vioemu /);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: vioemu /);
    expect((await runCli(['help', 'run'])).code).toBe(0);
  });
});

describe('--version', () => {
  it("prints package.json's version, the one checkpoints carry, and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});

describe('--duration reads numbers as --set duration= does', () => {
  it('1e3 is 1000 ns, as --set duration=1e3 (it was "not a duration")', async () => {
    const r = await runCli(['validate', RING, '--duration', '1e3', '--print']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^duration: 1000$/m);
  });
});

describe('--duration within the warm-up', () => {
  // Nearly every paper and soak scenario warms up for 0.5–1 s: --duration 300ms alone was an error on each.
  it('keeps a third of it as warm-up and says so; with the warm-up set too, the error stands', async () => {
    const short = await runCli(['validate', 'scenarios/paper/fig3-domu.yaml', '--duration', '300ms', '--print']);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stderr).toMatch(/^vioemu: note: --duration 300ms is not longer than the scenario's warm-up; warming up for 100\.000ms, a third of it/m);
    expect(short.stdout).toMatch(/^warmup: 100000000$/m);
    const both = await runCli(['validate', 'scenarios/paper/fig3-domu.yaml', '--duration', '300ms', '--set', 'warmup=400ms']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/warmup: warmup \(400\.000ms\) must be shorter than duration/);
    // A sweep over the warm-up sets it too: the override would have dropped the axis and run one point of two.
    const swept = join(dir, 'warmup-sweep.yaml');
    writeFileSync(swept, `include: [${JSON.stringify(join(REPO, 'scenarios/paper/fig3-domu.yaml'))}]\nsweep:\n  warmup: [100ms, 1s]\n`);
    const sweep = await runCli(['validate', swept, '--duration', '500ms']);
    expect(sweep.code, sweep.stdout).toBe(2);
    expect(sweep.stderr).toMatch(/warmup: warmup \(1\.000s\) must be shorter than duration \(500\.000ms\).*\(sweep point warmup=1s\)/);
    expect(sweep.stderr).not.toMatch(/warming up/);
    // Longer than the warm-up: nothing changes, nothing is said.
    const long = await runCli(['validate', 'scenarios/paper/fig3-domu.yaml', '--duration', '2s']);
    expect(long.stderr).not.toMatch(/warming up/);
  });
});

describe('--duration without a unit', () => {
  // `--duration 10` meant as seconds ran 10 ns, measured nothing and exited 0, without a word.
  it('says on stderr that a bare number is ns; a duration with a unit, or one refused anyway, gets no note', async () => {
    const bare = await runCli(['validate', RING, '--duration', '10']);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toMatch(/^vioemu: note: --duration 10 has no unit, so it is 10 ns of virtual time \(write e\.g\. 10s or 10ms/);
    const exp = await runCli(['validate', RING, '--duration', '1e3']);
    expect(exp.stderr).toMatch(/--duration 1e3 has no unit, so it is 1000 ns/);
    for (const d of ['10s', '250ms', '0']) expect((await runCli(['validate', RING, '--duration', d])).stderr).not.toMatch(/note: --duration/);
  });
});
