// The result's netfront.postedMean and postedMin: the guest's free posted receive buffers seen by
// each burst the bridge hands to the vifs — their mean and their least. Recorded by hand at the
// same moments and compared (no warm-up, so the samples are the whole run's).
import { describe, expect, it } from 'vitest';
import type { SutCounters } from '../../src/net/sut.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('posted receive buffers in the result', () => {
  it('postedMin is the least free buffers any burst found, postedMean their mean', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=200ms', 'warmup=0ms']);
    const parts = built.hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
    const gs = parts.guests!;
    const seen: number[] = [];
    const xmit = gs.xmit;
    gs.xmit = (runs, v) => {
      seen.push(parts.netbacks[0]!.postedFree);
      xmit(runs, v);
    };
    built.sim.runUntil(built.sc.durationNs);
    const nf = collectInProcess(built).summary.netfront as { postedMean: number; postedMin: number };
    expect(seen.length).toBeGreaterThan(100);
    const min = Math.min(...seen);
    const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
    // The buffers do run low sometimes (the minimum is not simply the mean).
    expect(min).toBeLessThan(mean - 10);
    expect(nf.postedMin).toBe(min);
    expect(nf.postedMean).toBeCloseTo(mean, 1);
  });
});
