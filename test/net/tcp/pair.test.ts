// End-to-end: one connection over the kernel Sim through the test harness link.
import { describe, expect, it } from 'vitest';
import { DATA_WIRE_BYTES, runPair, type PairConfig, type PairResult } from './harness.ts';

const GBIT = 1e9;
const MSS = 1448;
/** Goodput ceiling of a 1 Gb/s link: payload share of each 1538-byte frame. */
const LINE_GOODPUT = (GBIT * MSS) / DATA_WIRE_BYTES; // 941.5 Mb/s

const BASE: PairConfig = { seed: 1, rateBitsPerSec: GBIT, propDelayNs: 100_000, warmupNs: 500_000_000, measureNs: 2_000_000_000 };

/**
 * Padhye et al. (SIGCOMM '98) Reno throughput with timeouts, in bits/s:
 * delayed ACKs (b = 2), RTO floor T0, loss probability p.
 */
function padhyeBitsPerSec(p: number, rttSec: number, t0Sec: number): number {
  const b = 2;
  const perPacketSec = rttSec * Math.sqrt((2 * b * p) / 3) + t0Sec * Math.min(1, 3 * Math.sqrt((3 * b * p) / 8)) * p * (1 + 32 * p * p);
  return (MSS * 8) / perPacketSec;
}

function expectExactDelivery(r: PairResult): void {
  expect(r.orderHashOk).toBe(true);
  expect(r.deliveredWereSent).toBe(true);
  expect(r.receiver.deliveredSegs).toBe(r.receiver.rcvNxt);
  expect(r.receiver.bytesRead + r.receiver.unreadBytes).toBe(r.receiver.deliveredSegs * MSS);
  // The sender never believes more was acknowledged than the receiver has.
  expect(r.sender.sndUna).toBeLessThanOrEqual(r.receiver.rcvNxt);
  expect(r.sender.bytesAcked).toBe(r.sender.sndUna * MSS);
}

describe('TCP over a 1 Gb/s, 100 us link', () => {
  it('lossless: fills the link (goodput >= 0.9 Gb/s over 2 s after 0.5 s warm-up)', () => {
    const r = runPair(BASE);
    expect(r.goodputBitsPerSec).toBeGreaterThanOrEqual(0.9 * GBIT);
    expect(r.goodputBitsPerSec).toBeLessThanOrEqual(LINE_GOODPUT * 1.0001);
    expect(r.sender).toMatchObject({ segsRetransmitted: 0, fastRetransmits: 0, timeouts: 0 });
    expect(r.receiver.dropsBeyondWindow).toBe(0);
    expectExactDelivery(r);
    // Delayed ACKs: about one ACK per two segments (window updates add a few).
    expect(r.receiver.acksSent / r.receiver.segsReceived).toBeGreaterThan(0.49);
    expect(r.receiver.acksSent / r.receiver.segsReceived).toBeLessThan(0.53);
  });

  it.each(['newreno', 'cubic'] as const)('%s with 1%% random segment loss: exact in-order delivery, recovery, progress', (congestion) => {
    const lossProb = 0.01;
    const r = runPair({ ...BASE, lossProb, congestion });
    expectExactDelivery(r);
    expect(r.linkLostSegs).toBeGreaterThan(0);
    expect(r.sender.segsRetransmitted).toBeGreaterThanOrEqual(r.linkLostSegs - (r.sender.sndMax - r.receiver.rcvNxt));
    expect(r.sender.fastRetransmits).toBeGreaterThan(50);
    expect(r.receiver.oooSegs).toBeGreaterThan(0);
    // Floor: Padhye's Reno model with the measured RTT and the 200 ms RTO floor (about
    // 20 Mb/s here), and never below 50 Mb/s; ceiling: the link.
    const floor = Math.max(50e6, padhyeBitsPerSec(lossProb, r.sender.srttNs! / 1e9, 0.2));
    expect(r.goodputBitsPerSec).toBeGreaterThan(floor);
    expect(r.goodputBitsPerSec).toBeLessThan(LINE_GOODPUT);
  });

  it('is deterministic: same seed, identical run; another seed, another run', () => {
    const cfg = { ...BASE, lossProb: 0.01, seed: 7, measureNs: 1_000_000_000 };
    const a = runPair(cfg);
    const b = runPair(cfg);
    expect(b).toEqual(a);
    const c = runPair({ ...cfg, seed: 8 });
    expect(c.receiver.orderHash).not.toBe(a.receiver.orderHash);
  });

  it('a slow reader limits the flow through the advertised window, without loss', () => {
    const readBitsPerSec = 100e6;
    const r = runPair({ ...BASE, readBytesPerSec: readBitsPerSec / 8 });
    expect(Math.abs(r.goodputBitsPerSec - readBitsPerSec) / readBitsPerSec).toBeLessThan(0.01);
    expect(r.receiver.dropsBeyondWindow).toBe(0);
    expect(r.sender).toMatchObject({ segsRetransmitted: 0, timeouts: 0 });
    expectExactDelivery(r);
  });
});
