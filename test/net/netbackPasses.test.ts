// The result's netback figures: net_rx_action passes and their packets, and the frontend
// notifications (rsp_event asked for it) — compared with what netfront was handed, per pass,
// recorded by hand over the whole run (no warm-up).
import { describe, expect, it } from 'vitest';
import type { SutCounters } from '../../src/net/sut.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

describe('netback passes and notifications in the result', () => {
  it('packetsPerPass is the packets handed to netfront per pass; frontendNotifies the passes that notified', () => {
    const built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=200ms', 'warmup=0ms']);
    const parts = built.hosts.flatMap((h) => h.persist?.() ?? []).find((p): p is SutCounters => typeof p === 'object' && p !== null && 'nic' in p && 'netbacks' in p)!;
    const nf = parts.netfronts[0]!;
    let passes = 0;
    let packets = 0;
    let notified = 0;
    const deliver = nf.deliver.bind(nf);
    nf.deliver = (runs, pcpu, notify) => {
      passes++;
      packets += runs.reduce((a, r) => a + r.count, 0);
      if (notify) notified++;
      deliver(runs, pcpu, notify);
    };
    built.sim.runUntil(built.sc.durationNs);
    const nb = (collectInProcess(built).summary as { netback: { rxPasses: number; packetsPerPass: number; frontendNotifies: number } }).netback;
    expect(passes).toBeGreaterThan(100);
    // Some passes notify, not all (netfront asks only when it has caught up).
    expect(notified).toBeGreaterThan(0);
    expect(notified).toBeLessThan(passes);
    expect(nb.rxPasses).toBe(passes);
    expect(nb.frontendNotifies).toBe(notified);
    expect(nb.packetsPerPass).toBe(Math.round((10 * packets) / passes) / 10);
  });
});
