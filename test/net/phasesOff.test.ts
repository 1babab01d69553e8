// An off phase on the paper's path: the stressor sends nothing new while it
// lasts (what was in flight drains within a few RTTs), and sends again when
// the next on phase begins.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.ts';

const run = (warmup: string, duration: string) =>
  runInProcess('scenarios/paper/fig3-domu.yaml', [
    'net.phases=[{duration: 100ms}, {duration: 200ms, active: false}]',
    `duration=${duration}`,
    `warmup=${warmup}`,
  ]).summary as unknown as { throughputGbps: number };

describe('traffic phases on the paper path', () => {
  it('nothing new is received through an off phase; traffic resumes in the next on phase', () => {
    // Measured 150–300 ms: inside the off phase (100–300 ms), 50 ms after it began. What arrives is
    // what TCP recovers of the data in flight when the phase began (459 segments, 0.035 Gb/s over
    // 150 ms; seed 1: 0.016), by retransmission after its RTO.
    expect(run('150ms', '300ms').throughputGbps).toBeLessThan(0.035);
    // Measured 300–400 ms: the second on phase.
    expect(run('300ms', '400ms').throughputGbps).toBeGreaterThan(1);
  });
});
