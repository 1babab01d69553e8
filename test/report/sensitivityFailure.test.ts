// A run of `vioemu sensitivity` that fails leaves an incomplete table: it goes
// beside --out (which keeps its last complete table), as after a stop, and the
// failure is reported. It used to overwrite --out with the incomplete table and
// the command exited 0.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sensitivity } from '../../src/report/sensitivity.ts';
import { FailingRun } from '../helpers/failingRun.ts';

describe('sensitivity with a failed run', () => {
  it('writes the incomplete table beside --out and reports the failure', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-sens-fail-')), 'sensitivity.md');
    writeFileSync(out, 'the last complete table\n');
    const r = await sensitivity({ scenario: 'scenarios/paper/fig3-domu.yaml', seeds: [1], durationNs: 3_000_000, workers: 2, out, log: () => {}, exec: new FailingRun(0) });
    expect(r.failed).toEqual({ count: 1, first: expect.stringMatching(/: Error: injected failure$/) as unknown as string });
    expect(r.interrupted).toMatchObject({ completed: r.interrupted!.of - 1 });
    expect(readFileSync(out, 'utf8')).toBe('the last complete table\n');
    expect(existsSync(`${out}.partial`)).toBe(true);
    expect(readFileSync(`${out}.partial`, 'utf8')).toMatch(/^\*\*1 run failed; cells without theirs show —\.\*\*$/m);
    // Its error, as README says a failed run's is in the partial file (reproduce's and calibrate's have it as `failed`).
    expect(readFileSync(`${out}.partial`, 'utf8')).toMatch(/^The first failed run: .*: Error: injected failure$/m);
  });
});
