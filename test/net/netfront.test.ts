// netfront's posted receive buffers (network_alloc_rx_buffers, netif_poll):
// the rx_target rules of the Xen 3.1 source.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { NetfrontRx } from '../../src/net/netfront.ts';
import type { Run } from '../../src/net/packetQueue.ts';
import { RxSharedRing } from '../../src/net/vifRing.ts';

function front() {
  const ring = new RxSharedRing(256);
  let kicks = 0;
  const nf = new NetfrontRx(1, new Sim({ seed: 1 }), { rxMinTarget: 64, rxMaxTarget: 256, napiWeight: 64, slotsPerSegment: 1 }, ring, () => kicks++);
  return { nf, ring, kicks: () => kicks };
}

/** netback fills `n` posted buffers and pushes the responses (notifying if asked). */
function fill(nf: NetfrontRx, ring: RxSharedRing, n: number): void {
  const notify = ring.rspEvent > ring.rspProd && ring.rspEvent <= ring.rspProd + n;
  ring.rspProd += n;
  nf.deliver([{ flow: 0, seq: ring.rspProd - n, count: n }], 0, notify);
}

describe('netfront posted buffers', () => {
  it('responses beyond the ring are a broken invariant (netback reserves a slot per response), not a silent loss', () => {
    const { nf } = front();
    nf.connect();
    nf.deliver([{ flow: 0, seq: 0, count: 256 }], 0, false);
    expect(() => nf.deliver([{ flow: 0, seq: 256, count: 1 }], 0, false)).toThrow(/netfront: 1 responses pushed with room for 0: netback overran the shared ring/);
  });

  it('connect posts RX_DFL_MIN_TARGET (64) buffers; the empty ring doubles rx_target to 128 (fewer than target/4 unfilled)', () => {
    const { nf, ring } = front();
    nf.connect();
    expect(ring.reqProd).toBe(64);
    expect(nf.rxTarget).toBe(128);
  });

  it('refills to rx_target when at least rx_target/2 are wanted; lowers the target by one after a poll that found > 3/4 unfilled', () => {
    const { nf, ring } = front();
    nf.connect(); // 64 posted, target 128
    fill(nf, ring, 10);
    nf.take(64, []);
    nf.pollDone(10, false);
    // batch_target = 128 - (64 - 10) = 74 >= 64: pushed, 128 outstanding again.
    expect(ring.reqProd - nf.rspCons).toBe(128);
    expect(nf.rxTarget).toBe(128);
    fill(nf, ring, 20);
    nf.take(64, []);
    nf.pollDone(20, false);
    // 138 - 30 = 108 unfilled > 96: target 127 ("linear decrease"); batch_target 127 - 108 = 19 < 63: kept in rx_batch.
    expect(nf.rxTarget).toBe(127);
    expect(nf.targetShrinks).toBe(1);
    expect(ring.reqProd - nf.rspCons).toBe(108);
    expect(nf.rxBatch).toBe(19);
  });

  it('doubles rx_target when a refill finds fewer than rx_target/4 unfilled (exponential increase, cap 256)', () => {
    const { nf, ring } = front();
    nf.connect(); // 64 posted, target 128
    fill(nf, ring, 64); // netback used every posted buffer
    nf.take(64, []);
    nf.pollDone(64, false);
    expect(nf.rxTarget).toBe(256);
    expect(ring.reqProd - nf.rspCons).toBe(128); // the batch was sized before the doubling
  });

  it('notifies netback only when its push crosses req_event (set by netback when it stopped)', () => {
    const { nf, ring } = front();
    nf.connect();
    ring.reqEvent = 64 + 20; // netback stopped at peek 64
    fill(nf, ring, 64);
    nf.take(64, []);
    expect(nf.pollDone(64, true)).toBe(true);
    fill(nf, ring, 64);
    nf.take(64, []);
    expect(nf.pollDone(64, true)).toBe(false); // req_event long passed
  });

  it('re-arms rsp_event when the quota was not used up, and takes a notification then', () => {
    const { nf, ring, kicks } = front();
    nf.connect();
    fill(nf, ring, 10);
    expect(kicks()).toBe(1); // initially armed at rsp_event 1
    nf.take(64, []);
    nf.pollDone(10, false);
    expect(ring.rspEvent).toBe(11);
    expect(nf.napiScheduled).toBe(false);
    fill(nf, ring, 5);
    expect(kicks()).toBe(2);
  });
});
