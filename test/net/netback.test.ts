// netback's per-vif receive side (netif_be_start_xmit, netbk_queue_full,
// netif_wake_queue, the 500 ms queue timer) against the posted request slots.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { NetbackVif, type NetbackConfig } from '../../src/net/netback.ts';
import type { Run } from '../../src/net/packetQueue.ts';
import { RxSharedRing } from '../../src/net/vifRing.ts';

const cfg: NetbackConfig = { txqueuelen: 32, ringSlots: 256, maxSlotsPerPass: 238, neededSlots: 20, stopTimeoutNs: 500_000_000, slotsPerSegment: 1, copyBytesPerSegment: 0 };

function vif(posted: number, c: Partial<NetbackConfig> = {}) {
  const sim = new Sim({ seed: 1 });
  const ring = new RxSharedRing(256);
  ring.reqProd = posted;
  let timeoutWakes = 0;
  const nb = new NetbackVif(1, sim, { ...cfg, ...c }, ring, () => timeoutWakes++);
  return { sim, ring, nb, timeoutWakes: () => timeoutWakes };
}

describe('netback receive side', () => {
  it('takes packets while `needed` (20) posted slots remain unpromised, then stops and asks for req_event = peek + 20', () => {
    const { nb, ring } = vif(64);
    const taken: Run[] = [];
    nb.xmit({ flow: 0, seq: 0, count: 100 }, taken);
    expect(taken.reduce((a, r) => a + r.count, 0)).toBe(64 - 20 + 1);
    expect(nb.peek).toBe(45);
    expect(nb.stopped).toBe(true);
    expect(ring.reqEvent).toBe(45 + 20);
    // The qdisc holds txqueuelen (32) packets; the rest of the burst is dropped.
    expect(nb.qdisc.length).toBe(32);
    expect(nb.qdiscDrops).toBe(100 - 45 - 32);
    expect(nb.machine.value).toBe('stopped');
  });

  it('a jumbo segment netbk_copy_skb split into 3 page fragments promises 3 slots: the same ring takes a third as many', () => {
    const { nb, ring } = vif(64, { slotsPerSegment: 3 });
    const taken: Run[] = [];
    nb.xmit({ flow: 0, seq: 0, count: 100 }, taken);
    // Taken while at least 20 slots are unpromised before each: 64, 61, …, 22, 19 → 15 segments, 45 slots.
    expect(taken.reduce((a, r) => a + r.count, 0)).toBe(15);
    expect(nb.peek).toBe(45);
    expect(nb.stopped).toBe(true);
    expect(ring.reqEvent).toBe(45 + 20);
    nb.consumed(15, 45);
    expect(nb.reqCons).toBe(45);
    expect(nb.queued).toBe(0);
  });

  it('a longer queue (Opt D) holds more of the same burst', () => {
    const { nb } = vif(64, { txqueuelen: 128 });
    nb.xmit({ flow: 0, seq: 0, count: 100 }, []);
    expect(nb.qdisc.length).toBe(55);
    expect(nb.qdiscDrops).toBe(0);
  });

  it('stays stopped until the frontend posts enough; the woken queue feeds the qdisc back to netback', () => {
    const { nb, ring } = vif(64);
    nb.xmit({ flow: 0, seq: 0, count: 100 }, []);
    nb.consumed(45, 45); // net_rx_action copied them
    expect(nb.maybeWake()).toBe(false); // copying frees no request slot: still 19 unpromised
    ring.reqProd += 32; // netfront refilled a batch
    expect(nb.maybeWake()).toBe(true);
    const taken: Run[] = [];
    nb.runQdisc(taken);
    expect(taken.reduce((a, r) => a + r.count, 0)).toBe(32);
    expect(nb.qdisc.length).toBe(0);
    expect(nb.stopped).toBe(true); // 19 + 32 - 32 = 19 < 20: stopped again
  });

  it('pushes responses and notifies only when the frontend re-armed rsp_event inside the pushed range', () => {
    const { nb, ring } = vif(64);
    nb.xmit({ flow: 0, seq: 0, count: 10 }, []);
    nb.consumed(10, 10);
    ring.rspEvent = 1;
    expect(nb.pushResponses()).toBe(true);
    nb.xmit({ flow: 0, seq: 10, count: 10 }, []);
    nb.consumed(10, 10);
    expect(nb.pushResponses()).toBe(false); // the frontend is polling: rsp_event behind
  });

  it('the 500 ms timer wakes a queue an inactive frontend left stopped', () => {
    const { nb, sim, timeoutWakes } = vif(20);
    nb.xmit({ flow: 0, seq: 0, count: 5 }, []);
    expect(nb.stopped).toBe(true);
    sim.runUntil(499_999_999);
    expect(nb.stopped).toBe(true);
    sim.runUntil(500_000_001);
    expect(nb.stopped).toBe(false);
    expect(nb.timeoutWakes).toBe(1);
    expect(timeoutWakes()).toBe(1);
  });
});

describe('netback receive side: edges', () => {
  it('a queue woken with its qdisc full drops the arriving packet (pfifo_fast enqueue before qdisc_run)', () => {
    const { nb, ring } = vif(64);
    nb.xmit({ flow: 0, seq: 0, count: 100 }, []); // 45 taken, 32 queued, 23 dropped
    nb.consumed(45, 45);
    ring.reqProd += 32;
    expect(nb.maybeWake()).toBe(true); // woken, its qdisc (32 of 32) not yet run
    const taken: Run[] = [];
    nb.xmit({ flow: 0, seq: 100, count: 1 }, taken);
    expect(nb.qdiscDrops).toBe(23 + 1);
    // qdisc_run fed the 32 queued ones to netback, which stopped again; the new one is gone.
    expect(taken.reduce((a, r) => a + r.count, 0)).toBe(32);
    expect(taken.some((r) => r.seq + r.count > 100)).toBe(false);
    expect(nb.qdisc.length).toBe(0);
  });

  it('a queue the 500 ms timer woke while the ring is still full drops what it feeds netif_be_start_xmit, and counts it', () => {
    // 20 posted, 20 needed: one packet is taken, then the ring is full; 4 wait in the qdisc.
    const { nb, sim } = vif(20);
    const first: Run[] = [];
    nb.xmit({ flow: 0, seq: 0, count: 5 }, first);
    expect(first).toEqual([{ flow: 0, seq: 0, count: 1 }]);
    expect([nb.stopped, nb.qdisc.length, nb.qdiscDrops]).toEqual([true, 4, 0]);
    // The frontend posts nothing; the timer wakes the queue and NET_TX runs its qdisc (Dom0's timeoutWake).
    sim.runUntil(500_000_001);
    expect(nb.timeoutWakes).toBe(1);
    const taken: Run[] = [];
    expect(nb.runQdisc(taken)).toBe(0);
    // netbk_queue_full still holds: netif_be_start_xmit drops (it cannot requeue), and nothing is taken.
    expect(taken).toEqual([]);
    expect(nb.qdiscDrops).toBeGreaterThanOrEqual(1);
    // Every packet is taken, queued or counted as dropped.
    expect(1 + nb.qdisc.length + nb.qdiscDrops).toBe(5);
    expect(nb.peek).toBe(1);
  });

  it('after a timer wake on a still-full ring the queue stays running and drops: its qdisc and later packets, until buffers come (netif_be_start_xmit: goto drop before the stop logic)', () => {
    const { nb, sim, ring } = vif(20);
    nb.xmit({ flow: 0, seq: 0, count: 5 }, []);
    expect([nb.stopped, nb.qdisc.length]).toEqual([true, 4]);
    sim.runUntil(500_000_001);
    expect(nb.runQdisc([])).toBe(0);
    // All four queued packets went to netif_be_start_xmit and were dropped; the queue was not stopped again.
    expect([nb.stopped, nb.qdisc.length, nb.qdiscDrops, nb.stops]).toEqual([false, 0, 4, 1]);
    // A packet arriving now is dropped too, not queued.
    expect(nb.xmit({ flow: 0, seq: 5, count: 3 }, [])).toBe(0);
    expect([nb.qdisc.length, nb.qdiscDrops]).toEqual([0, 7]);
    // The frontend posts 40 more slots: packets pass again, and the queue stops when the ring runs short.
    ring.reqProd += 40;
    const taken: Run[] = [];
    expect(nb.xmit({ flow: 0, seq: 8, count: 50 }, taken)).toBe(40); // 59 unpromised: while 20 remain
    expect(nb.stopped).toBe(true);
    expect(nb.qdisc.length).toBe(10);
  });

  it('counts packets copied into slots the frontend never posted as frontend-ring drops (0 while netbk_queue_full holds)', () => {
    const { nb } = vif(64);
    nb.xmit({ flow: 0, seq: 0, count: 100 }, []);
    nb.consumed(45, 45);
    expect(nb.frontendOverruns).toBe(0);
    // A pass that used 30 slots more than were posted (64 − 45 = 19 left): 11 packets overran the ring.
    nb.consumed(30, 30);
    expect(nb.frontendOverruns).toBe(11);
  });

  it('does not notify again when rsp_event sits at the old producer index (already passed)', () => {
    const { nb, ring } = vif(64);
    nb.xmit({ flow: 0, seq: 0, count: 10 }, []);
    nb.consumed(10, 10);
    ring.rspEvent = 10; // asked for a notification when response 10 is pushed
    expect(nb.pushResponses()).toBe(true);
    nb.xmit({ flow: 0, seq: 10, count: 10 }, []);
    nb.consumed(10, 10);
    expect(nb.pushResponses()).toBe(false); // old = 10: the event was at the last push, not this one
    ring.rspEvent = 21;
    nb.xmit({ flow: 0, seq: 20, count: 1 }, []);
    nb.consumed(1, 1);
    expect(nb.pushResponses()).toBe(true); // 20 < 21 <= 21
  });
});
