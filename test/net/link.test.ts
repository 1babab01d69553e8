// One direction of an Ethernet link on its own: FIFO serialisation at line
// rate, then propagation; the device queue's backlog; and utilisation over
// the measured window only (after mark, before its end).
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { LinkDirection } from '../../src/net/link.ts';

const US = 1000;

function link() {
  const sim = new Sim({ seed: 1 });
  const arrivals: [number, unknown][] = [];
  sim.register({ id: 2, receive: (msg: unknown) => arrivals.push([sim.nowNs, msg]) });
  // 1 Gbps: a 1250-byte frame serialises in 10 µs; 3 µs of propagation.
  const l = new LinkDirection(sim, 1, 2, 1e9, 3 * US);
  const at = (t: number): void => {
    sim.runUntil(t);
    sim.advanceTo(t);
  };
  return { sim, l, arrivals, at };
}

describe('link direction', () => {
  it('frames serialise back to back in FIFO order, each batch arriving when its last frame has crossed', () => {
    const { l, arrivals, at } = link();
    expect(l.send(2, 1250, 'a')).toBe(23 * US);
    expect(l.send(1, 1250, 'b')).toBe(33 * US); // waits for the first batch
    expect(l.backlogFrames(10 * US, 1250)).toBeCloseTo(2, 9);
    at(100 * US);
    expect(arrivals).toEqual([[23 * US, 'a'], [33 * US, 'b']]);
    expect(l.send(1, 1250, 'c', 150 * US)).toBe(163 * US); // ready later than now: starts then
    expect(l.framesSent).toBe(4);
    expect(l.bytesOnWire).toBe(5000);
  });

  it('utilisation counts only the serialisation inside [mark, end]', () => {
    const { l, at } = link();
    l.send(10, 1250, 'x'); // busy 0–100 µs
    at(50 * US);
    l.mark(50 * US);
    expect(l.utilization(150 * US)).toBeCloseTo(0.5, 9); // 50 of the 100 µs since the mark
    expect(l.utilization(100 * US)).toBeCloseTo(1, 9); // frames still to serialise after the end do not count
    expect(l.utilization(75 * US)).toBeCloseTo(1, 9);
  });

  it('busy time folded before the mark does not count after it', () => {
    const { l, at } = link();
    l.send(1, 1250, 'x'); // busy 0–10 µs
    at(20 * US);
    l.send(1, 1250, 'y'); // busy 20–30 µs; folds the first interval
    at(40 * US);
    l.send(1, 1250, 'z'); // busy 40–50 µs; folds the second
    l.mark(40 * US);
    expect(l.utilization(60 * US)).toBeCloseTo(0.5, 9);
    at(100 * US);
    l.send(1, 1250, 'w'); // busy 100–110 µs; folds the third (after the mark)
    expect(l.utilization(120 * US)).toBeCloseTo(20 / 80, 9);
  });
});
