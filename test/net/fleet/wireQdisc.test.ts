// peth0's qdisc in front of a fleet host's link: tx_queue_len counts packets,
// whatever their size (pfifo_fast_enqueue: skb_queue_len < dev->tx_queue_len).
// It used to count the serialisation backlog in data frames' worth, so a
// queue of ACKs (84 bytes on the wire each, against 1538) held ~18× more
// packets than txqueuelen before it dropped.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../../src/kernel/sim.ts';
import { WireLink } from '../../../src/net/fleet/wire.ts';
import { DEFAULT_FRAMES } from '../../../src/net/frames.ts';
import type { Run } from '../../../src/net/packetQueue.ts';

const ackRun = (count: number): Run => ({ flow: 0, seq: 0, count, ack: { fromSeq: 0, batches: [count, count, 0], rwndSegs: 64 } });
const dataRun = (count: number): Run => ({ flow: 0, seq: 0, count });

function link(txqueuelen: number): { sim: Sim; wire: WireLink } {
  const sim = new Sim({ seed: 1 });
  // 1 Gb/s: a data frame takes 12.304 µs on the wire, an ACK 0.672 µs.
  return { sim, wire: new WireLink(sim, 1, 2, 1e9, 2_000, txqueuelen, DEFAULT_FRAMES) };
}

describe("a fleet host's peth0 qdisc", () => {
  it('holds txqueuelen ACK packets, not txqueuelen data frames of bytes', () => {
    const { wire } = link(100);
    wire.send([ackRun(100)]);
    expect(wire.backlogPackets()).toBe(100);
    wire.send([ackRun(10)]);
    expect(wire.qdiscDrops).toBe(10);
  });

  it('counts a mix of data and ACKs by packets, and frees a place as each frame ends', () => {
    const { sim, wire } = link(100);
    wire.send([dataRun(50), ackRun(50)]);
    expect(wire.backlogPackets()).toBe(100);
    wire.send([dataRun(1)]);
    expect(wire.qdiscDrops).toBe(1);
    // Three data frames later (36.9 µs) three places are free; the ACKs behind them are all still queued.
    sim.advanceTo(3 * 12_304 + 1);
    expect(wire.backlogPackets()).toBe(97);
    wire.send([dataRun(5)]);
    expect(wire.qdiscDrops).toBe(1 + 2);
    // Once everything has left, the queue is empty.
    sim.advanceTo(10_000_000);
    expect(wire.backlogPackets()).toBe(0);
  });

  it('data only: as many places as before (txqueuelen less the frames not yet serialised, the one on the wire included)', () => {
    const { sim, wire } = link(10);
    wire.send([dataRun(10)]);
    sim.advanceTo(12_304 / 2); // half the first frame is out: it still holds its place
    wire.send([dataRun(3)]);
    expect(wire.qdiscDrops).toBe(3);
    sim.advanceTo(12_304 + 12_304 / 2); // the first frame has left
    wire.send([dataRun(3)]);
    expect(wire.qdiscDrops).toBe(3 + 2);
  });
});
