// The one-machine transport's byte rings (src/kernel/sabTransport.ts): a
// window's batches come out in order, whole and only in that window, across
// wrap-around, batches larger than the ring (the writer moves to a larger
// ring it posts), a writer a window ahead of its reader, positions past
// 2^32, and thousands of windows; and two SabTransports joined by a
// MessageChannel carry msgpackr batches on their streams.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { SharedControl } from '../../src/kernel/barrier.ts';
import { RingReader, RingWriter, SabTransport } from '../../src/kernel/sabTransport.ts';
import type { RemoteRecord } from '../../src/kernel/sim.ts';

/** A writer and its reader; posted rings wait in a queue (the MessagePort's part). */
function pair(initialBytes: number) {
  const posted: SharedArrayBuffer[] = [];
  const w = new RingWriter((sab) => posted.push(sab), initialBytes);
  const r = new RingReader(() => {
    const sab = posted.shift();
    if (!sab) throw new Error('no ring posted');
    return sab;
  });
  const read = () => {
    const out: Uint8Array[] = [];
    r.read(out);
    return out.map((b) => [...b]);
  };
  return { w, r, read, posted };
}

/** `n` bytes counting from `from` (mod 256), so a misplaced byte shows. */
const bytes = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 255);

/** Deterministic xorshift. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

describe('SAB ring', () => {
  it('a window with no batch reads nothing; batches come out in order, each a copy that the next window does not touch', () => {
    const { w, read } = pair(64);
    w.commit();
    expect(read()).toEqual([]);
    w.write(bytes(5, 1));
    w.write(bytes(7, 100));
    w.commit();
    const got = read();
    expect(got).toEqual([[...bytes(5, 1)], [...bytes(7, 100)]]);
    w.write(bytes(9, 200));
    w.commit();
    expect(read()).toEqual([[...bytes(9, 200)]]);
    expect(got[0]).toEqual([...bytes(5, 1)]);
  });

  it('wraps around the end of the ring (length and payload split) without growing', () => {
    const { w, read } = pair(64);
    // 13-byte batches take 20 bytes each: the frames start at every multiple of 4 over the windows.
    for (let i = 0; i < 50; i++) {
      w.write(bytes(13, i));
      w.write(bytes(2, 7 * i));
      w.commit();
      expect(read()).toEqual([[...bytes(13, i)], [...bytes(2, 7 * i)]]);
    }
    expect(w.ringBytes).toBe(64);
  });

  it('a batch larger than the ring moves to a ring that holds it; the bytes before it are read first', () => {
    const { w, read, posted } = pair(16);
    w.write(bytes(3, 9));
    w.commit();
    expect(read()).toEqual([[...bytes(3, 9)]]);
    w.write(bytes(4, 50));
    w.write(bytes(100_000, 3));
    w.write(bytes(6, 60));
    w.commit();
    expect(w.ringBytes).toBeGreaterThanOrEqual(100_008);
    expect(read()).toEqual([[...bytes(4, 50)], [...bytes(100_000, 3)], [...bytes(6, 60)]]);
    expect(posted).toEqual([]);
    // Two moves in one window.
    w.write(bytes(300_000, 1));
    w.write(bytes(1_000_000, 2));
    w.commit();
    expect(read()).toEqual([[...bytes(300_000, 1)], [...bytes(1_000_000, 2)]]);
  });

  it('a writer a window ahead: the reader takes only the window it is in, also when the writer moved rings', () => {
    const { w, read } = pair(64);
    w.write(bytes(20, 1));
    w.commit();
    // Window 1 is written before the reader reads window 0 (the reader is slow to leave the barrier).
    w.write(bytes(20, 2));
    expect(read()).toEqual([[...bytes(20, 1)]]);
    w.commit();
    w.write(bytes(30, 3)); // does not fit beside the unread window-1 batch in 64 bytes: a new ring
    expect(read()).toEqual([[...bytes(20, 2)]]);
    w.commit();
    expect(read()).toEqual([[...bytes(30, 3)]]);
  });

  it('positions past 2^32', () => {
    const { w, r, read } = pair(64);
    w.commit();
    read();
    // Both ends as after 4 GiB less 24 bytes (the ring's head follows the reader).
    const start = 2 ** 32 - 24;
    Object.assign(w as object, { tail: start });
    Object.assign(r as object, { head: start });
    new Int32Array((r as unknown as { ring: { sab: SharedArrayBuffer } }).ring.sab, 0, 1)[0] = start | 0;
    for (let i = 0; i < 20; i++) {
      w.write(bytes(10 + i, i));
      w.commit();
      expect(read()).toEqual([[...bytes(10 + i, i)]]);
    }
    expect(w.ringBytes).toBe(64);
  });

  it('many windows of random batches, the writer sometimes a window ahead', () => {
    const { w, read } = pair(256);
    const rand = rng(7);
    let pending: number[][] | null = null;
    let tag = 0;
    for (let win = 0; win < 5000; win++) {
      const batches: number[][] = [];
      const n = Math.floor(rand() * 4);
      for (let b = 0; b < n; b++) {
        const size = rand() < 0.01 ? 1 + Math.floor(rand() * 5000) : 1 + Math.floor(rand() * 60);
        const data = bytes(size, tag++);
        w.write(data);
        batches.push([...data]);
      }
      // The reader of the previous window goes now, after this window's batches were written.
      if (pending) expect(read()).toEqual(pending);
      w.commit();
      pending = batches;
      if (rand() < 0.5) {
        expect(read()).toEqual(pending);
        pending = null;
      }
    }
    if (pending) expect(read()).toEqual(pending);
  });
});

describe('SabTransport', () => {
  const open: MessagePort[] = [];
  afterEach(() => {
    for (const p of open.splice(0)) p.close();
  });

  it('carries each window’s batches on its pair’s stream, small and past the ring size', () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    // The barrier is not under test: a control whose sync passes at once.
    const control = { ctrl: new Int32Array(8), sync: () => ({ gvtNs: 0, stop: false }) } as unknown as SharedControl;
    const a = new SabTransport(0, 2, control, [undefined, port1]);
    const b = new SabTransport(1, 2, control, [port2, undefined]);
    const rec = (t: number, msg: unknown): RemoteRecord => ({ timeNs: t, srcId: 3, srcSeq: t, dstId: 4, msg });
    for (let win = 0; win < 200; win++) {
      const sent = win % 3 === 0 ? [] : [rec(win, { k: 'pkt', n: win }), rec(win + 1, { k: 'ack', n: -win })];
      if (win === 50) sent.push(rec(win, { k: 'big', blob: 'x'.repeat(100_000) }));
      if (sent.length) a.send(1, sent);
      if (win % 5 === 0) b.send(0, [rec(win, { back: win })]);
      a.sync(0, false);
      b.sync(0, false);
      expect(b.receive()).toEqual(sent.length ? [sent] : []);
      expect(a.receive()).toEqual(win % 5 === 0 ? [[rec(win, { back: win })]] : []);
    }
  });
});
