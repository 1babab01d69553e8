// The result JSON's common fields, from a run's output: rates per virtual
// second, the warm-up, the first partition's failure and where it happened,
// wall-clock facts under their own names, and how the run was split.
import { describe, expect, it } from 'vitest';
import type { RunOutput } from '../../src/kernel/runner.ts';
import { buildResult } from '../../src/run/result.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const sc = loadScenario('scenarios/paper/fig3-domu.yaml', { sets: ['duration=2s', 'warmup=500ms'] })[0]!.scenario;

function out(over: Partial<RunOutput> = {}): RunOutput {
  return {
    hosts: [], reachedNs: 2e9, events: 3_000_001, xstateEvents: 40_001, windows: 7, crossMessages: 5, interrupted: false,
    partitions: 2, trace: [], error: null, simStartedAtMs: NaN, ...over,
  };
}

describe('buildResult', () => {
  it('rates per virtual second, warm-up, wall clock and the split under their own names', () => {
    const r = buildResult(sc, 'p0', out(), 5, 20_000, 'two hosts', 1);
    expect(r).toMatchObject({
      scenario: sc.name, model: sc.model, point: 'p0', seed: sc.seed,
      virtualSeconds: 2, warmupSeconds: 0.5, events: 3_000_001, xstateEvents: 40_001,
      eventsPerVirtualSecond: 1_500_001, xstateEventsPerVirtualSecond: 20_001, interrupted: false,
      wallSeconds: 5, startupWallSeconds: 1, realTimeFactor: 0.5,
      threads: { partitions: 2, windows: 7, crossPartitionMessages: 5, lookaheadNs: 20_000, reason: 'two hosts' },
    });
    expect(r.errorAt).toBeUndefined();
  });

  it('a run that reached no virtual time has no rates (not NaN or Infinity)', () => {
    const r = buildResult(sc, 'p0', out({ reachedNs: 0, interrupted: true }), 0, 20_000);
    expect(r.eventsPerVirtualSecond).toBe(0);
    expect(r.xstateEventsPerVirtualSecond).toBe(0);
    expect(r.realTimeFactor).toBe(0);
    expect(r.interrupted).toBe(true);
    expect(r.threads.reason).toBeUndefined();
  });

  it("a partition's failure: the message names the partition and virtual time, errorAt says where", () => {
    const error = { name: 'RangeError', message: 'boom', stack: '', partition: 1, atNs: 1_500_000, echo: false };
    const r = buildResult(sc, 'p0', out({ error, reachedNs: 1_500_000 }), 1, 20_000);
    expect(r.error).toMatch(/^RangeError: boom \(partition 1, virtual time 1\.500ms\)$/);
    expect(r.errorAt).toEqual({ partition: 1, virtualTimeNs: 1_500_000 });
  });
});
