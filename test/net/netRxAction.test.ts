// net_rx_action's poll list: devices in turn, each up to its quota, until the
// netdev_budget is spent.
import { describe, expect, it } from 'vitest';
import { NetRxAction, type NapiDevice } from '../../src/net/netRxAction.ts';

function dev(name: string, backlog: { n: number }, polled: string[]): NapiDevice {
  return {
    name,
    weight: 64,
    scheduled: () => backlog.n > 0,
    poll: (max) => {
      const k = Math.min(max, backlog.n);
      backlog.n -= k;
      polled.push(`${name}:${k}`);
      return { packets: k, parts: [], data: k };
    },
    complete: () => backlog.n > 0,
  };
}

describe('net_rx_action', () => {
  it('polls the devices round-robin by quota and ends the handler when the budget (300) is spent', () => {
    const rx = new NetRxAction(300);
    const polled: string[] = [];
    const nic = { n: 1000 };
    const backlog = { n: 100 };
    rx.add(dev('nic', nic, polled));
    rx.add(dev('backlog', backlog, polled));
    const ctx = { nowNs: 0, pcpu: 0 };
    let items = 0;
    // Bounded: a handler that never ends must fail here, not hang the run (a synchronous loop outlives testTimeout).
    for (let guard = 0; guard < 100; guard++) {
      const it = rx.take(ctx);
      if (!it) break;
      rx.complete(it, ctx);
      items++;
      if (!rx.continuing()) break;
    }
    expect(polled).toEqual(['nic:64', 'backlog:64', 'nic:64', 'backlog:36', 'nic:64', 'nic:8']);
    expect(items).toBe(6);
    expect(rx.continuing()).toBe(false); // budget spent; NET_RX stays pending for the next pass
    expect(rx.pending()).toBe(true);
  });
});
