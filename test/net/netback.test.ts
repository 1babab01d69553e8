// netif_be_start_xmit / netbk_queue_full / netif_wake_queue arithmetic.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { Netback } from '../../src/net/netback.ts';
import type { Run } from '../../src/net/packetQueue.ts';

const cfg = { txqueuelen: 32, ringSlots: 256, maxSlotsPerPass: 238, neededSlots: 20 };

describe('netback', () => {
  it('takes packets while 20 request slots remain, then stops and queues 32 in the qdisc, dropping the rest', () => {
    const nb = new Netback(1, new Sim({ seed: 1 }), cfg);
    nb.xmit([{ flow: 0, seq: 0, count: 300 }]);
    expect(nb.rxQueue.length).toBe(237); // 256 - 20 + 1
    expect(nb.stopped).toBe(true);
    expect(nb.qdisc.length).toBe(32);
    expect(nb.qdiscDrops).toBe(300 - 237 - 32);
    expect(nb.machine.actor.getSnapshot().value).toBe('stopped');
  });

  it('a pass consumes request slots; a refill wakes the queue and drains the qdisc', () => {
    const nb = new Netback(1, new Sim({ seed: 1 }), cfg);
    nb.xmit([{ flow: 0, seq: 0, count: 300 }]);
    const out: Run[] = [];
    expect(nb.takePass(out)).toBe(237);
    expect(nb.reqPosted).toBe(19);
    nb.maybeWake();
    expect(nb.stopped).toBe(true); // still short of request slots
    nb.refill(237);
    nb.maybeWake();
    expect(nb.stopped).toBe(false);
    expect(nb.qdisc.length).toBe(0);
    expect(nb.rxQueue.length).toBe(32);
    expect(nb.machine.actor.getSnapshot().value).toBe('open');
  });
});
