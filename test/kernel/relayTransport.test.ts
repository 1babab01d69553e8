// A partition's side of the relay (src/kernel/relayTransport.ts), with the relay
// played by hand on the other end of a MessageChannel: each window's report goes
// out after the batches, the decision is read only after a wake, batches are
// decoded on the stream of the partition that sent them, and a decision for
// another window or a failure is thrown, not taken.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchStreams } from '../../src/kernel/codec.ts';
import { RELAY_WAKE_BYTES, RelayTransport, TRANSPORT_ERROR, type FromRelay, type ToRelay } from '../../src/kernel/relayTransport.ts';
import type { RemoteRecord } from '../../src/kernel/sim.ts';

const rec = (timeNs: number, msg: unknown): RemoteRecord => ({ timeNs, srcId: 1, srcSeq: timeNs, dstId: 2, msg });

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** Partition `self` of 3, and the relay's end: `answer` posts a message and bumps the wake counter, as the relay does. */
function rig(self: number) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const wake = new SharedArrayBuffer(RELAY_WAKE_BYTES);
  const t = new RelayTransport(self, 3, { wake, port: port1 });
  const answer = (m: FromRelay) => {
    port2.postMessage(m);
    Atomics.add(new Int32Array(wake, 0, 1), 0, 1);
  };
  const sent = (): ToRelay[] => {
    const out: ToRelay[] = [];
    for (let m = receiveMessageOnPort(port2); m; m = receiveMessageOnPort(port2)) out.push(m.message as ToRelay);
    return out;
  };
  return { t, answer, sent };
}

describe('RelayTransport', () => {
  it('sends batches then the window report; takes the decision and decodes each batch on its sender’s stream', () => {
    const { t, answer, sent } = rig(0);
    // Partitions 1 and 2 each keep their own encoder toward partition 0; their second batches refer back to
    // structures their first ones defined, so decoding one on the other's stream would fail or mix keys.
    const from1 = new BatchStreams(3);
    const from2 = new BatchStreams(3);
    const w0 = [from1.encode(0, [rec(10, { a: 1 })]), from2.encode(0, [rec(11, { b: 2, c: 3 })])];
    t.send(1, [rec(5, { x: 1 })]);
    answer({ t: 'decision', w: 0, gvtNs: 42, stop: false, batches: w0, from: [1, 2] });
    expect(t.sync(40, true)).toEqual({ gvtNs: 42, stop: false });
    const out = sent();
    expect(out.map((m) => m.t)).toEqual(['batch', 'sync']);
    expect(out[0]).toMatchObject({ t: 'batch', dst: 1 });
    expect(out[1]).toEqual({ t: 'sync', w: 0, nextNs: 40, stop: true });
    expect(t.receive()).toEqual([[rec(10, { a: 1 })], [rec(11, { b: 2, c: 3 })]]);
    // Received batches are handed over once.
    expect(t.receive()).toEqual([]);
    // Window 1: partition 2's batch arrives first this time.
    const w1 = [from2.encode(0, [rec(21, { b: 4, c: 5 })]), from1.encode(0, [rec(20, { a: 6 })])];
    answer({ t: 'decision', w: 1, gvtNs: 50, stop: true, batches: w1, from: [2, 1] });
    expect(t.sync(45, false)).toEqual({ gvtNs: 50, stop: true });
    expect(sent()).toEqual([{ t: 'sync', w: 1, nextNs: 45, stop: false }]);
    expect(t.receive()).toEqual([[rec(21, { b: 4, c: 5 })], [rec(20, { a: 6 })]]);
  });

  it('a decision for another window is a transport error', () => {
    const { t, answer } = rig(1);
    answer({ t: 'decision', w: 3, gvtNs: 1, stop: false, batches: [], from: [] });
    let err: Error | undefined;
    try {
      t.sync(0, false);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe(TRANSPORT_ERROR);
    expect(err?.message).toBe('relay answered window 3, expected 0');
  });

  it("a failure from the relay is thrown with the relay's name and message", () => {
    const { t, answer } = rig(2);
    answer({ t: 'fail', name: 'PeerFailed', message: 'partition 0 failed' });
    expect(() => t.sync(0, false)).toThrow(expect.objectContaining({ name: 'PeerFailed', message: 'partition 0 failed' }));
  });

  it('a wake without a message is a transport error, not a hang or a stale decision', () => {
    const { t } = rig(0);
    const { wake } = (t as unknown as { ends: { wake: SharedArrayBuffer } }).ends;
    Atomics.add(new Int32Array(wake, 0, 1), 0, 1);
    expect(() => t.sync(0, false)).toThrow(expect.objectContaining({ name: TRANSPORT_ERROR, message: 'relay woke the partition without a message' }));
  });
});
