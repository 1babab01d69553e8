// Output paths are checked before anything runs (exit 2 naming the flag), and
// after a run the result is written before the larger artefacts, so a failed
// artefact never costs the result.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkOutputPath } from '../../src/cli/outputPaths.ts';
import { writeOutputs, type RunFlags } from '../../src/cli/runCommand.ts';
import { UsageError } from '../../src/cli/usage.ts';
import type { OpenMetricsWriter } from '../../src/metrics/openmetrics.ts';
import type { RunResult } from '../../src/run/result.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-paths-'));
const aFile = join(dir, 'afile');
writeFileSync(aFile, 'not a folder\n');
mkdirSync(join(dir, 'blocked/result.json'), { recursive: true });
/** A folder nobody may create things in, also as root (sysfs refuses mkdir). */
const UNWRITABLE = existsSync('/sys/kernel') ? '/sys/vioemu-out-test' : null;

describe('checkOutputPath', () => {
  it('creates missing folders for a folder flag and for a file flag', () => {
    expect(checkOutputPath('--out', join(dir, 'new/deep/out'), 'dir')).toBe(join(dir, 'new/deep/out'));
    expect(statSync(join(dir, 'new/deep/out')).isDirectory()).toBe(true);
    checkOutputPath('--trace', join(dir, 'tr/a/trace.json'), 'file');
    expect(statSync(join(dir, 'tr/a')).isDirectory()).toBe(true);
    expect(existsSync(join(dir, 'tr/a/trace.json'))).toBe(false);
  });

  it.each<[string, string, 'dir' | 'file', RegExp]>([
    ['a file where a folder is wanted', aFile, 'dir', /^--out: .*afile is a file, not a folder$/],
    ['a folder under a file', join(aFile, 'x'), 'dir', /^--out: cannot create .*afile\/x: .*afile is a file, not a folder$/],
    ['a file under a file', join(aFile, 'x.json'), 'file', /^--out: .*afile is a file, not a folder$/],
    ['a folder where a file is wanted', dir, 'file', /^--out: .* is a folder; want a file name$/],
    ['an empty path', '', 'dir', /^--out: empty path$/],
  ])('%s', (_n, path, kind, msg) => {
    expect(() => checkOutputPath('--out', path, kind)).toThrow(UsageError);
    expect(() => checkOutputPath('--out', path, kind)).toThrow(msg);
  });

  it.skipIf(!UNWRITABLE)('an unwritable place', () => {
    expect(() => checkOutputPath('--checkpoint', UNWRITABLE!, 'dir')).toThrow(/^--checkpoint: cannot create folder \/sys\/vioemu-out-test: /);
  });
});

describe('bad output paths exit 2 before running', () => {
  const RUN = ['run', 'scenarios/kernel/ring.yaml', '--duration', '10ms'];
  const cases: [string, string[], RegExp][] = [
    ['--out at an existing file', ['--out', aFile], /^vioemu: --out: .*afile is a file, not a folder$/],
    ['--out under a file', ['--out', join(aFile, 'x')], /^vioemu: --out: cannot create .*afile\/x: .*afile is a file/],
    ['--trace under a file', ['--out', join(dir, 'ok1'), '--trace', join(aFile, 't.json')], /^vioemu: --trace: .*afile is a file, not a folder$/],
    ['--openmetrics at a folder', ['--out', join(dir, 'ok2'), '--openmetrics', dir], /^vioemu: --openmetrics: .* is a folder; want a file name$/],
    ['--out holding a folder named result.json', ['--out', join(dir, 'blocked')], /^vioemu: --out: .*blocked\/result\.json is a folder; the result could not be written there$/],
    ...(UNWRITABLE ? [['--out in an unwritable place', ['--out', UNWRITABLE], /^vioemu: --out: cannot create folder \/sys\/vioemu-out-test: /] as [string, string[], RegExp]] : []),
  ];
  it.concurrent.each(cases)('%s', async (_n, flags, msg) => {
    const r = await runCli([...RUN, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(msg);
  });
});

describe('writeOutputs: the result first, then the artefacts', () => {
  const result = { scenario: 's', model: 'ring', point: '', virtualSeconds: 1, events: 3, interrupted: false, wallSeconds: 1, realTimeFactor: 1 } as unknown as RunResult;

  it('a failing OpenMetrics or trace write is reported, exit 1, and the result is still written', () => {
    const out = join(dir, 'res');
    mkdirSync(out);
    const trace = join(dir, 'trace-became-a-folder');
    mkdirSync(trace); // the path passed its check, then something put a folder there
    const om = { samples: 0, write: () => { throw new Error('disk full'); } } as unknown as OpenMetricsWriter;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const flags = { out, json: true, trace, openmetrics: join(dir, 'om.txt'), openmetricsInterval: '1s' } as unknown as RunFlags;
      expect(writeOutputs(flags, [result], om, () => [])).toBe(1);
      const said = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(said).toMatch(/could not write --openmetrics .*: disk full/);
      expect(said).toMatch(/could not write --trace .*trace-became-a-folder: EISDIR/);
      expect(JSON.parse(String(stdout.mock.calls[0]![0])).events).toBe(3);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).events).toBe(3);
  });

  it("an earlier run's result files that this run did not write are removed, nothing else", () => {
    const out = join(dir, 'reused');
    mkdirSync(join(out, 'point-007.json'), { recursive: true }); // a folder of that name is not vioemu's
    const old = JSON.stringify({ ...result, events: 1 });
    for (const f of ['point-000.json', 'point-001.json', 'point-002.json', 'point-003.json', 'result.json', 'notes.txt', 'point-1.json']) writeFileSync(join(out, f), old);
    writeFileSync(join(out, 'results.json'), `[${old},${old}]`);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(writeOutputs({ out, json: true } as unknown as RunFlags, [result, { ...result, events: 4 }], null, () => [])).toBe(0);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/removed 3 result file\(s\) of an earlier run from .*reused: point-002\.json, point-003\.json, result\.json\n/);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'point-000.json', 'point-001.json', 'point-007.json', 'point-1.json', 'results.json']);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).map((r: RunResult) => r.events)).toEqual([3, 4]);
  });

  it("files of those names that hold no run result stay: a reproduction's results.json, a user's own file", () => {
    const out = join(dir, 'beside-reproduce');
    mkdirSync(out);
    const reproduce = JSON.stringify({ summary: { pass: 1 }, seeds: [1], rows: [], points: [{ scenario: 's', model: 'net', point: '', events: 1, interrupted: false }] });
    writeFileSync(join(out, 'results.json'), reproduce);
    writeFileSync(join(out, 'point-004.json'), 'my notes, not JSON\n');
    writeFileSync(join(out, 'point-005.json'), '{"mine": true}\n');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(writeOutputs({ out, json: true } as unknown as RunFlags, [result], null, () => [])).toBe(0);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).not.toMatch(/removed/);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
    expect(readdirSync(out).sort()).toEqual(['point-004.json', 'point-005.json', 'result.json', 'results.json']);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(reproduce);
  });
});
