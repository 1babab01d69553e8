// A run of `vioemu reproduce` that fails loses only itself: the table of the
// runs that ended is written as partial, and the failed runs are named. It used
// to throw after every run had ended, with no table at all.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproduce } from '../../src/report/reproduce.ts';
import { FailingRun, INJECTED_FAILURE } from '../helpers/failingRun.ts';

describe('reproduce with a failed run', () => {
  it('writes the table of the others as partial and names the failed run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-repro-fail-'));
    const r = await reproduce({ outDir: out, workers: 2, quick: true, log: () => {}, seeds: [1], exec: new FailingRun(0, 2_000_000) }); // 2 ms runs: the table's numbers do not matter here
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ scenario: 'fig3-linux', seed: 1, error: INJECTED_FAILURE });
    expect(r.interrupted).toEqual({ completed: r.points.length, of: r.points.length + 1 });
    const partial = JSON.parse(readFileSync(join(out, 'results.partial.json'), 'utf8'));
    expect(partial.failed).toEqual(r.failed);
    expect(partial.points).toHaveLength(r.points.length);
    expect(existsSync(join(out, 'index.partial.html'))).toBe(true);
    // A complete reproduction's files are not written over by an incomplete one.
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});
