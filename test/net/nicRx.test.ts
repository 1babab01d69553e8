// The SUT NIC's receive side on its own: the descriptor ring drops what does
// not fit, the first frame to find the interrupt armed fires it after RDTR
// unless the throttle holds it longer, a transmit fires TXDW after TIDV (held
// by the throttle too, and armed once per delay), and the NAPI poll stays
// scheduled while the ring holds packets.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import type { FramesMsg } from '../../src/net/link.ts';
import { NicRx, type NicRxConfig } from '../../src/net/nicRx.ts';
import type { Run } from '../../src/net/packetQueue.ts';

const US = 1000;
const ctx = { nowNs: 0, pcpu: 0 };

function nicWith(over: Partial<NicRxConfig> = {}) {
  const sim = new Sim({ seed: 1 });
  const irqs: number[] = [];
  const cfg: NicRxConfig = { ringSlots: 4, irqDelayNs: 10 * US, irqMinIntervalNs: 100 * US, weightPackets: 64, txIrqDelayNs: 5 * US, ...over };
  const nic = sim.register(new NicRx(7, sim, cfg, () => irqs.push(sim.nowNs)));
  const delivered: number[] = [];
  const dev = nic.device((n) => [{ component: 'nic_rx', cycles: n, packets: n }], (runs: Run[]) => {
    for (const r of runs) delivered.push(r.count);
  });
  const frames = (count: number, seq = 0): void => nic.receive({ type: 'FRAMES', flow: 0, seq, count } satisfies FramesMsg);
  /** One NAPI poll of up to `max` packets, its cycles spent at once: whether the device stays scheduled. */
  const poll = (max = 64): boolean => {
    const p = dev.poll(max, ctx);
    return dev.complete(p.data, ctx);
  };
  /** Run the events before `t`, then move the clock to `t`. */
  const at = (t: number): void => {
    sim.runUntil(t);
    sim.advanceTo(t);
  };
  return { sim, nic, irqs, dev, frames, poll, delivered, at };
}

describe('NIC receive ring and interrupt', () => {
  it('a burst larger than the ring: the ring takes what fits, the rest are counted as drops', () => {
    const { nic, frames } = nicWith();
    frames(6);
    expect(nic.received).toBe(4);
    expect(nic.drops).toBe(2);
    frames(3, 6);
    expect(nic.received).toBe(4);
    expect(nic.drops).toBe(5);
  });

  it('the interrupt fires RDTR after the first frame, and the throttle holds the next one until its interval has passed', () => {
    const { irqs, frames, poll, dev, at } = nicWith();
    frames(1);
    at(50 * US);
    expect(irqs).toEqual([10 * US]);
    expect(dev.scheduled()).toBe(true);
    expect(poll()).toBe(false); // ring empty: napi complete, interrupt re-armed
    expect(dev.scheduled()).toBe(false);
    frames(1, 1); // at 50 µs: RDTR alone would fire at 60 µs, the throttle holds it to 10 + 100 µs
    at(300 * US);
    expect(irqs).toEqual([10 * US, 110 * US]);
  });

  it('NAPI stays scheduled while the ring holds packets beyond the quota, and re-arms only once it is empty', () => {
    const { irqs, frames, poll, dev, delivered, at } = nicWith();
    frames(4);
    at(20 * US);
    expect(poll(3)).toBe(true);
    expect(dev.scheduled()).toBe(true);
    expect(poll(3)).toBe(false);
    expect(delivered).toEqual([3, 1]);
    frames(1, 4);
    at(200 * US);
    expect(irqs).toEqual([10 * US, 110 * US]);
  });

  it('TXDW fires TIDV after the first transmit, once per delay however many transmits follow', () => {
    const { irqs, nic, poll, at } = nicWith({ irqMinIntervalNs: 0 });
    nic.transmitted();
    at(2 * US);
    nic.transmitted(); // within the running delay: no second timer
    at(6 * US);
    expect(irqs).toEqual([5 * US]);
    expect(poll()).toBe(false); // nothing received: the poll re-arms at once
    at(100 * US);
    expect(irqs).toEqual([5 * US]);
  });

  it('TXDW is held back by the interrupt throttle like any other cause', () => {
    const { irqs, nic, frames, poll, at } = nicWith();
    frames(1);
    at(20 * US);
    expect(irqs).toEqual([10 * US]);
    expect(poll()).toBe(false);
    nic.transmitted(); // TIDV ends at 25 µs; the throttle holds every cause until 110 µs
    at(300 * US);
    expect(irqs).toEqual([10 * US, 110 * US]);
  });
});
