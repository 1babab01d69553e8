// reproduce, calibrate and sensitivity, as `run` does: a bad output path or
// flag is one line and exit 2 before anything runs; Ctrl-C stops the runs,
// writes what was measured (never over the finished file it would replace)
// and exits 130.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { ASSUMPTIONS } from '../../src/report/sensitivity.ts';

const oneLine = (r: CliResult, code: number, message: RegExp) => {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
};

/** Send SIGINT once stderr shows `ready` (the runs are under way). */
const interruptAfter = (args: string[], ready: RegExp) =>
  runCli(args, {
    onSpawn: (kill, stderr) => {
      const poll = () => (ready.test(stderr()) ? kill('SIGINT') : setTimeout(poll, 50));
      poll();
    },
  });

describe('reporting commands: bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vioemu-rep-'));
  const file = join(dir, 'afile');
  writeFileSync(file, '');
  // Folders reproduce writes into, with a folder where a figure goes and a file where runs/ goes.
  const figIsDir = mkdtempSync(join(tmpdir(), 'vioemu-rep-fig-'));
  mkdirSync(join(figIsDir, 'fig3.svg'));
  const runsIsFile = mkdtempSync(join(tmpdir(), 'vioemu-rep-runs-'));
  writeFileSync(join(runsIsFile, 'runs'), '');
  const scenarioRunsIsFile = mkdtempSync(join(tmpdir(), 'vioemu-rep-runs-sc-'));
  mkdirSync(join(scenarioRunsIsFile, 'runs'));
  writeFileSync(join(scenarioRunsIsFile, 'runs', 'fig3-domu'), '');

  it.each([
    [['reproduce', '--quick', '--out', file], /^vioemu: --out: .*afile is a file, not a folder/],
    [['reproduce', '--quick', 'extra'], /^error: too many arguments for 'reproduce'/],
    [['reproduce', '--quick', '--out', figIsDir], /^vioemu: --out: .*fig3\.svg is a folder; the result could not be written there/],
    [['reproduce', '--quick', '--out', runsIsFile], /^vioemu: --out: .*runs is a file, not a folder/],
    [['reproduce', '--quick', '--out', scenarioRunsIsFile], /^vioemu: --out: .*runs\/fig3-domu is a file, not a folder/],
    [['calibrate', '--quick', '--out', dir], /^vioemu: --out: .* is a folder; want a file name/],
    // Without --out a smoke-test fit would become the calibration every paper scenario includes.
    [['calibrate', '--quick'], /^vioemu: --quick: a smoke-test fit would replace scenarios\/calibration\.yaml/],
    [['calibrate', '--quick', '--out', join(file, 'x.yaml')], /^vioemu: --out: .*afile is a file, not a folder/],
    [['sensitivity', '--duration', 'abc', '--out', join(dir, 's.md')], /^vioemu: --duration: not a duration: "abc"/],
    [['sensitivity', '--seeds', '1,x', '--out', join(dir, 's.md')], /^vioemu: --seeds: want integers/],
    [['sensitivity', '--out', '/proc/nope/s.md'], /^vioemu: --out: cannot create folder \/proc\/nope/],
  ])('%j: one line, exit 2, nothing run', async (args, message) => {
    const r = await runCli(args, { timeoutMs: 20_000 });
    if (r.stderr.includes('(vioemu <command> --help')) {
      // commander's own errors add the one-line hint
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      return;
    }
    oneLine(r, 2, message);
  });
});

describe('reporting commands: Ctrl-C keeps what was measured', () => {
  it('reproduce: the table of the runs that ended, beside a complete one it leaves alone (exit 130)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-rep-int-'));
    writeFileSync(join(out, 'results.json'), '{"the last complete reproduction": true}\n');
    const r = await interruptAfter(['reproduce', '--quick', '--workers', '1', '--json', '--out', out], /\[2\/72\]/);
    expect(r.code, r.stderr).toBe(130);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe('{"the last complete reproduction": true}\n');
    expect(r.stderr).toMatch(/vioemu: interrupted: the table is made of the \d+ of 72 runs that ended \(rows without theirs fail\), in .*results\.partial\.json/);
    const written = JSON.parse(readFileSync(join(out, 'results.partial.json'), 'utf8'));
    expect(written.interrupted.of).toBe(72);
    expect(written.interrupted.completed).toBeGreaterThanOrEqual(2);
    expect(written.points.every((p: { result: { interrupted: boolean } }) => !p.result.interrupted)).toBe(true);
    expect(existsSync(join(out, 'index.partial.html'))).toBe(true);
    expect(JSON.parse(r.stdout).interrupted.of).toBe(72);
    // A quick table looks like the reproduction's; its pass counts are not, and it says so (--json too).
    expect(JSON.parse(r.stdout).quick).toBe(true);
    expect(r.stderr).toMatch(/^vioemu: note: a --quick reproduction \(one seed, short runs\) is a smoke test; its verdicts and pass counts are not the reproduction's/m);
  });

  it('calibrate: nothing fitted or overwritten; what was measured goes beside it (exit 130)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-cal-int-'));
    const out = join(dir, 'cal.yaml');
    const r = await interruptAfter(['calibrate', '--quick', '--workers', '1', '--out', out], /net\.stressor\.txCyclesPerPacket=\d+ →/);
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(out)).toBe(false);
    const partial = JSON.parse(readFileSync(join(dir, 'cal-curve.partial.json'), 'utf8'));
    expect(partial.interrupted).toBe(true);
    expect(partial.t1.length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/vioemu: interrupted: nothing fitted, .*cal\.yaml left as it was; what was measured \(\d+ T1 runs, 0 curve scales\) is in .*cal-curve\.partial\.json/);
  });

  it('sensitivity: the cells that ended, in <out>.partial; <out> untouched (exit 130)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-sens-int-'));
    const out = join(dir, 's.md');
    writeFileSync(out, 'the last complete table\n');
    const r = await interruptAfter(['sensitivity', '--duration', '300ms', '--seeds', '1', '--workers', '1', '--out', out], /sensitivity: \d+ assumptions/);
    expect(r.code, r.stderr).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('the last complete table\n');
    expect(readFileSync(`${out}.partial`, 'utf8')).toMatch(new RegExp(`^\\*\\*Interrupted: \\d+ of ${(2 * ASSUMPTIONS.length + 1) * 4} runs ended; cells without theirs show —\\.\\*\\*$`, 'm'));
  });
});
