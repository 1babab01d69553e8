// netfront's transmit ring (netfront.c, Xen 3.1): slots answered by netback are
// reclaimed by network_tx_buf_gc (netif_int, and after each
// network_start_xmit), which asks to be notified once half of what is then
// outstanding is answered — rsp_event = prod + ((req_prod − prod) >> 1) + 1 —
// whether or not the queue is stopped.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/net/packetQueue.ts';
import { NetfrontTx } from '../../../src/net/fleet/netfrontTx.ts';
import { runInProcess } from '../../helpers/inProcess.ts';

const run = (count: number, seq = 0): Run => ({ flow: 0, seq, count });

describe('netfront TX', () => {
  it("netback's answers notify the guest once half of what was outstanding at the last gc is answered", () => {
    const tx = new NetfrontTx(1000, 256, 20);
    expect(tx.enqueue([run(100)])).toBe(true); // the first push notifies netback
    // gc after the push: 100 outstanding, so the guest wants to hear at the 51st answer.
    const taken: Run[] = [];
    expect(tx.take(100, taken)).toBe(100);
    expect(tx.responded(50)).toBe(false);
    expect(tx.responded(1)).toBe(true);
    // Past rsp_event: no more notifications until the guest's next gc.
    expect(tx.responded(49)).toBe(false);
    expect(tx.stopped).toBe(false);
  });

  it('a stopped queue hears of answers at the same point, not at each one, and runs again once the guest reclaims them', () => {
    const tx = new NetfrontTx(1000, 256, 20);
    tx.enqueue([run(300)]); // 236 fit (256 − MAX_SKB_FRAGS − 2), the rest waits in the qdisc
    expect(tx.ring.length).toBe(236);
    expect(tx.stopped).toBe(true);
    tx.take(236, []);
    expect(tx.responded(100)).toBe(false);
    expect(tx.responded(19)).toBe(true); // the 119th: (236 >> 1) + 1
    expect(tx.responded(117)).toBe(false);
    // Not reclaimed yet: a drain pushes nothing while the queue is stopped.
    expect(tx.drain()).toBe(false);
    expect(tx.qdisc.length).toBe(64);
    // netif_int's gc reclaims the 236 slots and wakes the queue: the 64 go out.
    tx.wake();
    expect(tx.qdisc.length).toBe(0);
    expect(tx.ring.length).toBe(64);
    expect(tx.stopped).toBe(false);
  });
});

describe("netback's net_tx_action in a fleet", () => {
  it('costs the same per data packet as per ACK (it maps the page and copies 64 bytes of either)', () => {
    const r = runInProcess('scenarios/scale/rack-16x16.yaml', ['net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=2', 'duration=200ms', 'warmup=50ms']);
    const m = r.sim.metrics;
    for (const host of ['r0h0', 'r0h1']) {
      const cycles = m.value('vioemu_component_cycles_total', [host, 'netback_tx']);
      const packets = m.value('vioemu_component_packets_total', [host, 'netback_tx']);
      expect(packets).toBeGreaterThan(10_000);
      // netbackTxCyclesPerPacket (scenarios/costs.yaml) for every request, whatever its size or cache distance.
      expect(cycles / packets).toBeCloseTo(1200, 6);
    }
  });
});

describe('netfront TX: the last slot', () => {
  it('a push that takes the last free slot stops the queue; answers reclaimed early do not send without netif_int', () => {
    const tx = new NetfrontTx(1000, 256, 20);
    tx.enqueue([run(236)]);
    expect(tx.stopped).toBe(true); // netfront_tx_slot_available is false after the gc
    tx.take(236, []);
    expect(tx.responded(10)).toBe(false);
    // The next packet waits in the qdisc: the queue is stopped until netif_int's gc wakes it.
    expect(tx.enqueue([run(1, 236)])).toBe(false);
    expect(tx.qdisc.length).toBe(1);
    tx.wake();
    expect(tx.qdisc.length).toBe(0);
  });
});
