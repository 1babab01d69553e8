// Virtual seconds per wall second after a resume: the resumed process
// simulated only from the checkpoint on, so the result's realTimeFactor and
// the vioemu_realtime_factor gauge count that part, not the virtual time the
// interrupted process had already done (a resume near the end of a 2 h soak
// read as hundreds of times faster than the run really goes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/kernel/runner.ts';
import { createRunMetrics, Execution } from '../../src/run/execute.ts';
import { buildResult } from '../../src/run/result.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { resumeInput, runWithCheckpoints } from '../helpers/checkpointed.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-resume-rtf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('realtime factor of a resumed run', () => {
  it('buildResult counts the virtual time from where the run started', () => {
    const sc = loadScenario('scenarios/soak/sched-soak.yaml', { sets: ['duration=2s'] })[0]!.scenario;
    const out: RunOutput = { hosts: [], reachedNs: 2e9, events: 10, xstateEvents: 0, windows: 1, crossMessages: 0, interrupted: false, partitions: 1, trace: [], error: null, simStartedAtMs: NaN };
    expect(buildResult(sc, '', out, 5, 0, undefined, 1).realTimeFactor).toBe(0.5);
    // Resumed at 1.5 s: 0.5 virtual seconds in 4 wall seconds of simulation.
    expect(buildResult(sc, '', out, 5, 0, undefined, 1, 1.5e9).realTimeFactor).toBe(0.125);
  });

  it('the result and the gauge after `resume`', async () => {
    await runWithCheckpoints(['scenarios/soak/sched-soak.yaml', '--duration', '4s'], tmp, '3s');
    const { point, restore } = resumeInput(tmp);
    expect(restore.instantNs).toBe(3e9);
    const metrics = await createRunMetrics('xen');
    const [out] = await new Execution().run([point], { workers: 1, metrics, restore });
    const res = out!.result;
    expect(res.virtualSeconds).toBe(4);
    expect(res.realTimeFactor).toBeCloseTo(1 / (res.wallSeconds - res.startupWallSeconds), 9);
    const gauge = Number(/^vioemu_realtime_factor (\S+)$/m.exec(await metrics.text())![1]);
    expect(gauge).toBeCloseTo(1 / res.wallSeconds, 9);
  }, 120_000);
});
