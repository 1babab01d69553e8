// A run of `vioemu reproduce` that fails loses only itself: the table of the
// runs that ended is written as partial, and the failed runs are named. It used
// to throw after every run had ended, with no table at all.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproduce } from '../../src/report/reproduce.ts';
import { Execution, type ExecuteOptions, type PointOutput } from '../../src/run/execute.ts';
import type { ScenarioPoint } from '../../src/scenario/load.ts';

/** Runs every point for 2 ms (the table's numbers do not matter here); the first point's run fails. */
class FirstRunFails extends Execution {
  override async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    const short = points.map((p) => ({ ...p, scenario: { ...p.scenario, durationNs: 2_000_000, warmupNs: 1_000_000 } }));
    return super.run(short, {
      ...opts,
      onPointDone: (r, i) => {
        if (i === 0) r.error = 'Error: injected failure';
        opts.onPointDone?.(r, i);
      },
    });
  }
}

describe('reproduce with a failed run', () => {
  it('writes the table of the others as partial and names the failed run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-repro-fail-'));
    const r = await reproduce({ outDir: out, workers: 2, quick: true, log: () => {}, seeds: [1], exec: new FirstRunFails() });
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ scenario: 'fig3-linux', seed: 1, error: 'Error: injected failure' });
    expect(r.interrupted).toEqual({ completed: r.points.length, of: r.points.length + 1 });
    const partial = JSON.parse(readFileSync(join(out, 'results.partial.json'), 'utf8'));
    expect(partial.failed).toEqual(r.failed);
    expect(partial.points).toHaveLength(r.points.length);
    expect(existsSync(join(out, 'index.partial.html'))).toBe(true);
    // A complete reproduction's files are not written over by an incomplete one.
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});
