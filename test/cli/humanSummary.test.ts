// The human summary `vioemu run` prints without --json: its headline numbers must read as what they are.
import { describe, expect, it } from 'vitest';
import { humanSummary } from '../../src/cli/output.ts';
import type { RunResult } from '../../src/run/result.ts';

const result = (over: Partial<RunResult> = {}): RunResult => ({
  scenario: 'sched-cap',
  model: 'xen',
  point: '',
  seed: 1,
  virtualSeconds: 0.6,
  warmupSeconds: 0.3,
  events: 1498,
  xstateEvents: 508,
  eventsPerVirtualSecond: 2497,
  xstateEventsPerVirtualSecond: 847,
  interrupted: false,
  coreUtilPct: 41.724,
  wallSeconds: 0.06,
  startupWallSeconds: 0.0458,
  realTimeFactor: 42.12,
  threads: { partitions: 1, windows: 3, crossPartitionMessages: 0, lookaheadNs: 0 },
  ...over,
});

describe('humanSummary headline', () => {
  it('names the real-time factor and the start-up it leaves out (x42.12 beside "0.600 virtual s in 0.06 wall s" read as a wrong quotient)', () => {
    const first = humanSummary(result()).split('\n')[0]!;
    expect(first).toBe('sched-cap: 0.600 virtual s in 0.06 wall s, 0.05 s of it start-up (real-time factor 42.12, start-up excluded), 1498 events');
    expect(first).not.toMatch(/\(x\d/);
    // Said once, in the headline, not again as a field line.
    expect(humanSummary(result())).not.toMatch(/^ {2}startupWallSeconds:/m);
  });

  it('a resumed run says where it resumed: its factor counts from there', () => {
    const r = result({ scenario: 'net-soak', virtualSeconds: 6, wallSeconds: 0.48, startupWallSeconds: 0.05, realTimeFactor: 4.71, events: 503973 });
    r.threads.resumedAtNs = 4e9;
    expect(humanSummary(r).split('\n')[0]).toBe(
      'net-soak: 6.000 virtual s (resumed at 4.000s) in 0.48 wall s, 0.05 s of it start-up (real-time factor 4.71, from the resume on, start-up excluded), 503973 events',
    );
  });

  it('without start-up (a queued point) and interrupted', () => {
    expect(humanSummary(result({ startupWallSeconds: 0, interrupted: true })).split('\n')[0]).toBe('sched-cap: 0.600 virtual s in 0.06 wall s (real-time factor 42.12), 1498 events — INTERRUPTED');
  });
});
