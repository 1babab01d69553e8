// Output-queued switch ports: drop-tail against a per-port buffer or a shared
// buffer with a dynamic threshold, queues that drain at line rate, and the
// switch actor that spreads a message's frames over their input link, splits
// runs at drops and forwards no sooner than its forwarding latency allows.
import { describe, expect, it } from 'vitest';
import { ackPackets } from '../../../src/net/ackPayload.ts';
import type { BufferSpec, FlowTable } from '../../../src/net/fleet/config.ts';
import { OutputPorts } from '../../../src/net/fleet/outputPorts.ts';
import { SwitchNode } from '../../../src/net/fleet/switchNode.ts';
import type { WireMsg } from '../../../src/net/fleet/wire.ts';
import { DEFAULT_FRAMES } from '../../../src/net/frames.ts';

const DATA_BUFFER_BYTES = DEFAULT_FRAMES.dataBufferBytes;
const DATA_WIRE_BYTES = DEFAULT_FRAMES.dataWireBytes;
import { Sim } from '../../../src/kernel/sim.ts';

const TEN_G = 10e9;
const serNs = (bytes: number) => (bytes * 8e9) / TEN_G;

describe('output ports', () => {
  it('per-port buffer: drop-tail once the backlog would exceed it, room again as the queue drains', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 4000 });
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(false);
    expect(p.dropFrames[0]).toBe(1);
    // The queue drains at line rate: one frame's serialization later there is room for one more.
    expect(p.backlogBytes(0, serNs(DATA_WIRE_BYTES))).toBeCloseTo(DATA_WIRE_BYTES, 6);
    expect(p.admitFrame(0, serNs(DATA_WIRE_BYTES) + 1, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    expect(p.busyUntilNs[0]).toBeCloseTo(3 * serNs(DATA_WIRE_BYTES), 6);
    expect(p.txFrames[0]).toBe(3);
  });

  it('after a counter reset, a frame booked later but dated before it counts only what it sends after it', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
    const ser = serNs(DATA_WIRE_BYTES);
    // The end of warm-up falls at 1000 ns; then a message arrives whose first frame is dated 400 ns.
    p.resetCounters(1000);
    expect(p.admitFrame(0, 400, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true); // on the link 400 … 400 + ser
    expect(p.txBytes[0]).toBeCloseTo((DATA_WIRE_BYTES * (400 + ser - 1000)) / ser, 6);
    // Sent by any time t is never more than the line rate allows since the reset (txGbps ≤ the port's rate).
    const t = 400 + ser;
    expect(p.sentBytes(0, t)).toBeLessThanOrEqual(((t - 1000) * TEN_G) / 8e9 + 1e-6);
    // A frame that ended before the reset counts nothing.
    const q = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
    q.resetCounters(10_000);
    q.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    expect(q.txBytes[0]).toBe(0);
    expect(q.txFrames[0]).toBe(0);
  });

  it('shared buffer with dynamic threshold: one congested port holds at most alpha/(1+alpha) of it', () => {
    const b = 100 * DATA_BUFFER_BYTES;
    const p = new OutputPorts(2, [TEN_G, TEN_G], { mode: 'shared', bytes: b, alpha: 1 });
    let used = 0;
    let admitted = 0;
    for (let i = 0; i < 200; i++) {
      if (p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, used)) {
        used += DATA_BUFFER_BYTES;
        admitted++;
      }
    }
    expect(admitted).toBeGreaterThan(45);
    expect(admitted).toBeLessThanOrEqual(50);
    // The other port still gets in.
    expect(p.admitFrame(1, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, used)).toBe(true);
  });

  it("shared buffer: the buffer's total binds when alpha lets one port take more than the free space", () => {
    // alpha 8: a port alone may queue up to 8/9 of the buffer by its threshold, but the buffer holds 10 frames in all.
    const b = 10 * DATA_BUFFER_BYTES;
    const p = new OutputPorts(2, [TEN_G, TEN_G], { mode: 'shared', bytes: b, alpha: 8 });
    // Port 1 holds 9.5 frames' worth (as another port's backlog would): half a frame is free.
    const used = 9.5 * DATA_BUFFER_BYTES;
    // Port 0's own queue is empty, its threshold 8 × 0.5 frames = 4 frames: only the total refuses the frame.
    expect(p.queueBytesAt(0, 0)).toBe(0);
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, used)).toBe(false);
    expect(p.dropFrames[0]).toBe(1);
    // With exactly one frame free it gets in.
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, b - DATA_BUFFER_BYTES)).toBe(true);
  });

  it('a drop counts its frame and its buffer bytes', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: DATA_BUFFER_BYTES });
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    expect(p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(false);
    expect(p.admitFrame(0, 0, 64, 84, 0)).toBe(false);
    expect([p.dropFrames[0], p.dropBytes[0]]).toEqual([2, DATA_BUFFER_BYTES + 64]);
  });

  it("the shared occupancy is every port's queue, the first port's included", () => {
    const p = new OutputPorts(3, [TEN_G, TEN_G, TEN_G], { mode: 'shared', bytes: 1e6, alpha: 1 });
    // Two frames at 0 on port 0 (one queued behind the other), one on port 2.
    p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, p.sharedOccupancyBytes(0));
    p.admitFrame(2, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, p.sharedOccupancyBytes(0));
    const at = 100;
    expect(p.sharedOccupancyBytes(at)).toBeCloseTo(p.queueBytesAt(0, at) + p.queueBytesAt(2, at), 9);
    expect(p.queueBytesAt(0, at)).toBeCloseTo(2 * DATA_WIRE_BYTES - (at * TEN_G) / 8e9, 6);
    expect(p.queueBytesAt(2, at)).toBeCloseTo(DATA_WIRE_BYTES - (at * TEN_G) / 8e9, 6);
  });

  it('integrates the queue over time: a frame that waits behind another counts its wait whole', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
    const ser = serNs(DATA_WIRE_BYTES);
    p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    p.admitFrame(0, 0, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    // The first: half its serialization; the second: a whole serialization waiting, then half of its own.
    expect(p.queueByteNs[0]).toBeCloseTo(DATA_BUFFER_BYTES * (ser / 2 + ser + ser / 2), 3);
  });

  it('a frame dated before frames already booked takes the idle gap before them, and finds no queue there', () => {
    const fast = 200e9;
    const ser = (DATA_WIRE_BYTES * 8e9) / fast;
    // One frame's worth of buffer: only a frame that finds the port idle gets in.
    const p = new OutputPorts(1, [fast], { mode: 'per-port', bytes: DATA_BUFFER_BYTES });
    expect(p.admitFrame(0, 10_000, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true); // handled first, dated later
    expect(p.admitFrame(0, 1_000, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true); // the idle 9 µs before it are not queue
    expect([p.lastStartNs, p.lastEndNs]).toEqual([1_000, 1_000 + ser]);
    expect(p.dropFrames[0]).toBe(0);
    // The peak counts buffer bytes, as admission does: never above the buffer.
    expect(p.maxQueueBytes[0]).toBeCloseTo(DATA_BUFFER_BYTES, 6);
    // A frame whose gap is too short uses it, and sends the rest after the run that blocks it: the link does
    // not idle while the port holds the frame (a FIFO port would not either).
    expect(p.admitFrame(0, 10_000 - ser / 2, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    expect(p.lastStartNs).toBeCloseTo(10_000 - ser / 2, 6);
    expect(p.lastEndNs).toBeCloseTo(10_000 + ser + ser / 2, 6);
    expect(p.busyUntilNs[0]).toBeCloseTo(10_000 + ser + ser / 2, 6);
    // From 10 µs − ser/2 on, the link is busy without a break until the last byte has left.
    expect(p.startsNs[0]!.at(-1)).toBeCloseTo(10_000 - ser / 2, 6);
    // Nothing booked overlaps: the link never carries two frames at once.
    const S = p.startsNs[0]!;
    const E = p.endsNs[0]!;
    for (let i = 1; i < S.length; i++) expect(S[i]!).toBeGreaterThanOrEqual(E[i - 1]!);
  });

  it('a frame dated among booked ones fills the idle time between them before it waits behind them', () => {
    // 1 Gb/s, 1000-byte frames of 8 µs: booked [0, 8) and [9, 17) µs, then one dated 8 µs.
    const p = new OutputPorts(1, [1e9], { mode: 'per-port', bytes: 1e6 });
    p.admitFrame(0, 0, 1000, 1000, 0);
    p.admitFrame(0, 9000, 1000, 1000, 0);
    p.admitFrame(0, 8000, 1000, 1000, 0);
    // Its first 1 µs goes in the gap, the other 7 µs after the frame at 9 µs: busy from 0 to 24 µs.
    expect([p.lastStartNs, p.lastEndNs]).toEqual([8000, 24_000]);
    expect(p.startsNs[0]).toEqual([0]);
    expect(p.endsNs[0]).toEqual([24_000]);
    // The time-averaged queue never exceeds its peak.
    const meanBytes = p.queueByteNs[0]! / 24_000;
    expect(meanBytes).toBeLessThanOrEqual(p.maxQueueBytes[0]!);
  });

  it('a split frame dated before a counter reset counts only its link time after it', () => {
    const p = new OutputPorts(1, [1e9], { mode: 'per-port', bytes: 1e6 });
    p.admitFrame(0, 0, 1000, 1000, 0); // [0, 8) µs
    p.admitFrame(0, 9000, 1000, 1000, 0); // [9, 17) µs
    p.resetCounters(8500);
    p.admitFrame(0, 7000, 1000, 1000, 0); // pieces [8, 9) and [17, 24) µs
    // After 8.5 µs the link is busy 0.5 + 8 + 7 = 15.5 µs: 1,937.5 bytes at 1 Gb/s, never more.
    expect(p.sentBytes(0, 1e9)).toBeCloseTo(1937.5, 6);
  });

  it('a frame shorter than the float tolerance two hours in still goes on the link (no empty booking)', () => {
    const p = new OutputPorts(1, [1000e9], { mode: 'per-port', bytes: 1e6 }); // 84 bytes: 0.672 ns
    const T = 1e13;
    p.admitFrame(0, T, 84, 84, 0);
    p.admitFrame(0, T + 5, 84, 84, 0);
    expect(p.admitFrame(0, T + 4.7, 84, 84, 0)).toBe(true);
    expect(Number.isFinite(p.lastStartNs) && Number.isFinite(p.lastEndNs)).toBe(true);
    expect(p.lastEndNs).toBeGreaterThanOrEqual(T + 4.7);
    expect(Number.isFinite(p.queueByteNs[0]!)).toBe(true);
  });

  it('integrates the queue over time: a lone frame counts half its serialization', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
    p.admitFrame(0, 100, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    expect(p.queueByteNs[0]).toBeCloseTo((DATA_BUFFER_BYTES * serNs(DATA_WIRE_BYTES)) / 2, 6);
  });
});

function table(n: number): FlowTable {
  const z = () => new Int32Array(n);
  const t: FlowTable = { count: n, srcHost: z(), srcGuest: z(), dstHost: z(), dstGuest: z(), app: z(), role: new Int8Array(n), peer: z().fill(-1), group: z().fill(-1) };
  // Flow f: host 2 → host 1 + f % 2 (its ACKs go back to host 2).
  for (let f = 0; f < n; f++) {
    t.dstHost[f] = 1 + (f % 2);
    t.srcHost[f] = 2;
  }
  return t;
}

describe('switch actor', () => {
  function rig(bufferBytes: number, buffer: BufferSpec = { mode: 'per-port', bytes: bufferBytes }) {
    const sim = new Sim({ seed: 1 });
    const got: { at: number; to: number; msg: WireMsg }[] = [];
    for (const id of [10, 11]) sim.register({ id, receive: (m: unknown, at: number) => got.push({ at, to: id, msg: m as WireMsg }) });
    const sw = sim.register(new SwitchNode(1, sim, {
      name: 'tor0',
      ports: [{ nextHop: 99, rateBitsPerSec: TEN_G, latencyNs: 500 }, { nextHop: 10, rateBitsPerSec: TEN_G, latencyNs: 500 }, { nextHop: 11, rateBitsPerSec: TEN_G, latencyNs: 500 }],
      forwardingLatencyNs: 1000,
      buffer,
      portOfHost: Int32Array.from([0, 1, 2]),
    }, table(2), DEFAULT_FRAMES));
    return { sim, got, sw };
  }

  it('forwards each run to the port of its destination host, after the forwarding latency and serialization', () => {
    const { sim, got, sw } = rig(1e6);
    const msg: WireMsg = { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 3 }, { flow: 1, seq: 0, count: 2 }], nsPerByte: 8e9 / TEN_G };
    sim.send(0, 1, 0, msg);
    sim.runUntil(1e9);
    expect(got.map((g) => g.to).sort()).toEqual([10, 11]);
    for (const g of got) expect(g.at).toBeGreaterThanOrEqual(1000 + Math.floor(serNs(84)) + 500);
    expect(got.find((g) => g.to === 10)!.msg.runs).toEqual([{ flow: 0, seq: 0, count: 3 }]);
    expect(sw.ports.dropFrames[1]).toBe(0);
    expect(sw.machine.value).toBe('idle');
  });

  it("each frame enters its port a forwarding latency after its last bit arrived: a message's last frame is sent from now + forwarding latency", () => {
    const { sim, got } = rig(1e6);
    // Five frames at line rate, the last one in at 10 µs: it is enqueued at 11 µs and leaves at 11 µs + ser.
    sim.send(0, 1, 10_000, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 5 }], nsPerByte: 8e9 / TEN_G } satisfies WireMsg);
    sim.runUntil(1e9);
    expect(got).toHaveLength(1);
    expect(got[0]!.at).toBe(10_000 + 1000 + Math.ceil(serNs(DATA_WIRE_BYTES)) + 500);
  });

  it('shared buffer: a port admits against what the other ports hold too, so the buffer is never over-committed', () => {
    // alpha 2: one port alone may take 2/3 of the buffer; a second port then gets only what the threshold leaves.
    const b = 30 * DATA_BUFFER_BYTES;
    const { sim, sw } = rig(0, { mode: 'shared', bytes: b, alpha: 2 });
    const fast = 8e9 / 400e9; // both bursts arrive at once, far faster than the ports drain
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 40 }], nsPerByte: fast } satisfies WireMsg);
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 1, seq: 0, count: 40 }], nsPerByte: fast } satisfies WireMsg);
    sim.runUntil(1e9);
    const [q1, q2] = [sw.ports.maxQueueBytes[1]!, sw.ports.maxQueueBytes[2]!];
    // Port 1 (handled first): about 2/3 of the buffer. Port 2 found it there: about 2/9 more, not another 2/3.
    expect(q1).toBeGreaterThan(0.6 * b);
    expect(q2).toBeLessThan(0.3 * b);
    expect(q1 + q2).toBeLessThanOrEqual(b);
  });

  it('a burst from a faster input overflows the port: admitted sub-runs with the holes drop-tail left, the switch congested', () => {
    const { sim, got, sw } = rig(10 * DATA_BUFFER_BYTES);
    // 40 frames that arrived at 40 Gb/s back to back into a 10 Gb/s port.
    const msg: WireMsg = { type: 'WIRE', runs: [{ flow: 0, seq: 100, count: 40 }], nsPerByte: 8e9 / 40e9 };
    sim.send(0, 1, 0, msg);
    sim.runUntil(2_000);
    expect(sw.machine.value).toBe('congested');
    sim.runUntil(1e9);
    const runs = got.flatMap((g) => g.msg.runs);
    const admitted = runs.reduce((a, r) => a + r.count, 0);
    expect(admitted + sw.ports.dropFrames[1]!).toBe(40);
    expect(sw.ports.dropFrames[1]).toBeGreaterThan(0);
    expect(runs.length).toBeGreaterThan(1); // frames that drained meanwhile made room again: holes, not just a cut tail
    expect(runs[0]!.seq).toBe(100);
    expect(sw.congestionEpisodes).toBe(1);
    expect(sw.machine.value).toBe('idle');
  });

  it('a congestion episode still open at the end of warm-up counts in the measured window', () => {
    const { sim, sw } = rig(10 * DATA_BUFFER_BYTES);
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 0, seq: 100, count: 40 }], nsPerByte: 8e9 / 40e9 } satisfies WireMsg);
    sim.runUntil(2_000);
    expect(sw.machine.value).toBe('congested');
    sw.resetCounters();
    // Congested time is counted from the reset on; so is the episode it belongs to.
    expect(sw.congestionEpisodes).toBe(1);
    sim.runUntil(1e9);
    expect(sw.congestedTimeNs(1e9)).toBeGreaterThan(0);
    expect(sw.congestionEpisodes).toBe(1);
  });

  it('shared buffer: two line-rate streams into two idle ports queue at most a frame each, so a 32 KiB buffer drops nothing', () => {
    const { sim, sw } = rig(0, { mode: 'shared', bytes: 32 * 1024, alpha: 1 });
    // 40 frames (60 KB) each, to ports 1 and 2, both arriving over the same 49 µs at 10 Gb/s, handled one after the other.
    const lineRate = 8e9 / TEN_G;
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 40 }], nsPerByte: lineRate } satisfies WireMsg);
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 1, seq: 0, count: 40 }], nsPerByte: lineRate } satisfies WireMsg);
    sim.runUntil(1e9);
    expect([sw.ports.dropFrames[1], sw.ports.dropFrames[2]]).toEqual([0, 0]);
    expect(sw.ports.maxQueueBytes[1]).toBeLessThanOrEqual(DATA_WIRE_BYTES + 1e-6);
    // Sent by the end: every admitted byte (nothing left queued), and never more than the line allows.
    expect(sw.ports.sentBytes(1, 1e9)).toBe(40 * DATA_WIRE_BYTES);
  });

  it('two inputs into a faster port: the message handled second but sent first queues nothing, and each keeps its input spacing', () => {
    const fast = 40e9;
    const sim = new Sim({ seed: 1 });
    const got: { at: number; msg: WireMsg }[] = [];
    sim.register({ id: 10, receive: (m: unknown, at: number) => got.push({ at, msg: m as WireMsg }) });
    const sw = sim.register(new SwitchNode(1, sim, {
      name: 'agg',
      ports: [{ nextHop: 99, rateBitsPerSec: TEN_G, latencyNs: 500 }, { nextHop: 10, rateBitsPerSec: fast, latencyNs: 500 }, { nextHop: 99, rateBitsPerSec: TEN_G, latencyNs: 500 }],
      forwardingLatencyNs: 1000,
      // Room for two frames: a port that counted the idle time before later frames as queue would drop.
      buffer: { mode: 'per-port', bytes: 2 * DATA_BUFFER_BYTES },
      portOfHost: Int32Array.from([0, 1, 1]),
    }, table(2), DEFAULT_FRAMES));
    const lineRate = 8e9 / TEN_G;
    // Input A: 10 frames whose last bit is in at 30 µs; input B: 20 frames, in from ~5 µs to 30.5 µs (handled second).
    sim.send(0, 1, 30_000, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 10 }], nsPerByte: lineRate } satisfies WireMsg);
    sim.send(0, 1, 30_500, { type: 'WIRE', runs: [{ flow: 1, seq: 0, count: 20 }], nsPerByte: lineRate } satisfies WireMsg);
    sim.runUntil(1e9);
    expect(sw.ports.dropFrames[1]).toBe(0);
    expect(sw.ports.maxQueueBytes[1]).toBeLessThanOrEqual(2 * DATA_WIRE_BYTES + 1e-6);
    // Frames from 10 Gb/s inputs leave a 40 Gb/s port as far apart as they came.
    for (const g of got) expect(g.msg.nsPerByte).toBeCloseTo(lineRate, 3);
    expect(got.map((g) => g.msg.runs.reduce((a, r) => a + r.count, 0)).sort()).toEqual([10, 20]);
  });

  it('a port counts bytes as sent when they leave, not when admitted', () => {
    const { sim, sw } = rig(1e6);
    // 40 frames at 40 Gb/s into a 10 Gb/s port, the last one in at 20 µs: 12 µs in, 49 µs out.
    const inNsPerByte = 8e9 / 40e9;
    sim.send(0, 1, 20_000, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 40 }], nsPerByte: inNsPerByte } satisfies WireMsg);
    sim.runUntil(30_000);
    const sent = sw.ports.sentBytes(1, 30_000);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(40 * DATA_WIRE_BYTES); // admitted, most still queued
    // At most line rate since the first frame began to arrive.
    const firstInNs = 20_000 - 40 * DATA_WIRE_BYTES * inNsPerByte;
    expect(sent).toBeLessThanOrEqual(((30_000 - firstInNs) * TEN_G) / 8e9);
    sim.runUntil(1e9);
    expect(sw.ports.sentBytes(1, 1e9)).toBe(40 * DATA_WIRE_BYTES);
  });

  it('an ACK run keeps its admitted head, with the packets it had', () => {
    const { sim, got, sw } = rig(3 * 64);
    const ack = { fromSeq: 0, batches: [5, 5, 0], rwndSegs: 10 };
    sim.send(0, 1, 0, { type: 'WIRE', runs: [{ flow: 0, seq: 0, count: 5, ack }], nsPerByte: 8e9 / 100e9 } satisfies WireMsg);
    sim.runUntil(1e9);
    expect(got[0]!.to).toBe(11);
    const r = got[0]!.msg.runs[0]!;
    // 100 Gb/s in, 10 Gb/s out, room for two 64-byte frames and a part: the third finds the buffer full, the rest follow it.
    expect(r.count).toBe(2);
    expect(ackPackets(r.ack!)).toBe(2);
    expect(r.ack!.batches).toEqual([2, 2, 0]);
    expect(sw.ports.dropFrames[2]).toBe(3);
  });
});

describe('output ports, long runs and late frames', () => {
  it('two hours in, touching frames still form one busy run (float drift is not idle time)', () => {
    const at = (t0: number) => {
      const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
      // A line-rate stream, then a frame dated before its end: the queue it finds is the stream's rest.
      for (let j = 0; j < 50; j++) p.admitFrame(0, t0 + j * serNs(DATA_WIRE_BYTES), DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
      return { runs: p.startsNs[0]!.length, q: p.queueBytesAt(0, t0 + 10 * serNs(DATA_WIRE_BYTES)) };
    };
    const early = at(0);
    const late = at(7.2e12);
    expect(early.runs).toBe(1);
    expect(late.runs).toBe(1);
    expect(late.q).toBeCloseTo(early.q, 0);
  });

  it('a frame dated into the forgotten past is booked after it, never on the link with a frame already sent', () => {
    const p = new OutputPorts(1, [TEN_G], { mode: 'per-port', bytes: 1e6 });
    const ser = serNs(DATA_WIRE_BYTES);
    for (let j = 0; j < 10; j++) p.admitFrame(0, 10_000 + j * 2 * ser, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0);
    p.prune(0, 10_000 + 15 * ser);
    expect(p.admitFrame(0, 10_000, DATA_BUFFER_BYTES, DATA_WIRE_BYTES, 0)).toBe(true);
    // Not before the end of what was forgotten (10 µs + 13 serializations: the pruned frames 0–6).
    expect(p.forgottenUntilNs[0]).toBeCloseTo(10_000 + 13 * ser, 3);
    expect(p.lastStartNs).toBeGreaterThanOrEqual(p.forgottenUntilNs[0]!);
    const S = p.startsNs[0]!;
    const E = p.endsNs[0]!;
    for (let i = 1; i < S.length; i++) expect(S[i]!).toBeGreaterThanOrEqual(E[i - 1]! - 1e-6);
  });
});
