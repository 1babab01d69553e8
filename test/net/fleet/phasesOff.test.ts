// A fleet off phase: the application's bulk writers write nothing while it lasts (their send
// buffers may have room, the application is switched off), and write again in the next on phase.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/inProcess.ts';

// On 0–10 ms, off 10–30 ms, on 30–40 ms, …
const run = (warmup: string, duration: string) =>
  runInProcess('scenarios/soak/fleet-soak.yaml', [
    `duration=${duration}`,
    `warmup=${warmup}`,
    'net.fleet.traffic=[{pattern: permutation, phases: [{duration: 10ms}, {duration: 20ms, active: false}]}]',
  ]).summary as unknown as { throughputGbps: number; tcp: { segmentsSent: number } };

describe('fleet off phases', () => {
  it('bulk writers send nothing through an off phase and resume in the next on phase', () => {
    // Measured 15–30 ms: 5 ms into the off phase (what was in flight has drained).
    const off = run('15ms', '30ms');
    expect(off.tcp.segmentsSent).toBe(0);
    expect(off.throughputGbps).toBe(0);
    // Measured 30–40 ms: the second on phase.
    const on = run('30ms', '40ms');
    expect(on.tcp.segmentsSent).toBeGreaterThan(1000);
    expect(on.throughputGbps).toBeGreaterThan(1);
  });
});
