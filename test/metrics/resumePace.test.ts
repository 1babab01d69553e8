// --pace on a resumed run: x virtual seconds per wall second from the
// checkpoint on. The pace counted from virtual time 0, so a resume first slept
// as long as the paced run before the checkpoint would have taken (a 2 h soak
// resumed at 1h59m with --pace 10 would wait about 12 minutes before its
// first window).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Execution } from '../../src/run/execute.ts';
import { resumeInput, runWithCheckpoints } from '../helpers/checkpointed.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-resume-pace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a paced resumed run', () => {
  it('keeps the pace from the checkpoint on, not from virtual time 0', async () => {
    await runWithCheckpoints(['scenarios/sched/mixed-64.yaml', '--duration', '4200ms'], tmp, '4s');
    const { point, restore } = resumeInput(tmp);
    expect(restore.instantNs).toBe(4e9);
    // 0.2 virtual s at 1 virtual s per wall s: about 0.2 s of simulation; counted from 0 it took 4.2 s.
    const [out] = await new Execution().run([point], { workers: 1, pace: 1, restore });
    const res = out!.result;
    expect(res.virtualSeconds).toBeCloseTo(4.2, 9);
    expect(res.wallSeconds - res.startupWallSeconds).toBeLessThan(2);
    expect(res.wallSeconds - res.startupWallSeconds).toBeGreaterThan(0.15);
  }, 120_000);
});
