// One-machine transport: each window's batches (msgpackr-encoded, see codec.ts)
// go through a byte ring in a SharedArrayBuffer per directed pair of
// partitions, and the SharedArrayBuffer barrier orders them: a partition copies
// its batches into its rings and marks where this window's bytes end before it
// enters the barrier; its peers read up to that mark after they leave it. A
// window without traffic costs an Atomics store and load per pair, where a
// MessagePort cost a receiveMessageOnPort per peer every window and a
// structured clone of the codec's whole buffer per batch.
//
// A ring is written by one partition and read by one other. The writer is at
// most one window ahead of the reader (it cannot leave the next barrier before
// the reader has entered it, which the reader does after reading), so the
// bytes it may overwrite are the ones the reader has released (`head`), and a
// mark per window parity (`committed[w & 1]`) tells the reader where window w
// ends even when the writer has already written window w + 1.
//
// A batch that does not fit the free space (larger than the ring, or the ring
// still holds the previous window's batch) moves the writer to a new, larger,
// empty ring: it writes a switch mark into the old ring (there is always room:
// a batch is written only if 4 bytes stay free after it), posts the new
// SharedArrayBuffer on the pair's MessagePort and writes the batch into the new
// ring. The reader, reaching the mark, takes the new ring from the port (posted
// before the barrier, so already there) and goes on there. Each partition posts
// its first rings the same way when it builds its transport.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SharedControl } from './barrier.ts';
import { BatchStreams } from './codec.ts';
import type { Transport } from './partitionLoop.ts';
import type { RemoteRecord } from './sim.ts';

/** Int32 slots before the ring's bytes: head (released by the reader), window marks for even and odd windows. */
const HEAD = 0;
const COMMITTED = 1;
const HEADER_BYTES = 64;
/** Frame length that means "the ring ends here: the next one is on the port". */
const SWITCH = -1;
/** A ring's first size (bytes of data); a batch that does not fit moves to one at least twice as large. */
export const RING_INITIAL_BYTES = 16 * 1024;

/** Bytes a frame of `len` payload bytes takes: a 4-byte length, the payload, padding to 4 (so lengths never wrap). */
function frameBytes(len: number): number {
  return 4 + ((len + 3) & ~3);
}

class Ring {
  readonly hdr: Int32Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly mask: number;

  constructor(readonly sab: SharedArrayBuffer) {
    const size = sab.byteLength - HEADER_BYTES;
    if (size < 16 || (size & (size - 1)) !== 0) throw new Error(`ring of ${size} bytes: want a power of two of 16 or more`);
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.i32 = new Int32Array(sab, HEADER_BYTES, size / 4);
    this.u8 = new Uint8Array(sab, HEADER_BYTES, size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.mask + 1;
  }
}

/**
 * The writing end of one directed pair. Positions are byte counts since the
 * ring began, kept as uint32 (they may wrap past 2^32: only differences and
 * `& mask` are used).
 */
export class RingWriter {
  private ring: Ring;
  private tail = 0;
  /** Parity of the window being written. */
  private parity = 0;

  /** `post` hands a ring to the reader (the pair's MessagePort); called here with the first one. */
  constructor(
    private readonly post: (sab: SharedArrayBuffer) => void,
    initialBytes = RING_INITIAL_BYTES,
  ) {
    this.ring = this.newRing(initialBytes);
  }

  /** Bytes of the current ring's data area (tests). */
  get ringBytes(): number {
    return this.ring.size;
  }

  private newRing(size: number): Ring {
    const ring = new Ring(new SharedArrayBuffer(HEADER_BYTES + size));
    this.post(ring.sab);
    return ring;
  }

  write(bytes: Uint8Array): void {
    const len = bytes.byteLength;
    const need = frameBytes(len);
    let ring = this.ring;
    // Keep 4 bytes free after a batch: room for a switch mark, always.
    if (need + 4 > ring.size - ((this.tail - Atomics.load(ring.hdr, HEAD)) >>> 0)) {
      ring.i32[(this.tail & ring.mask) >> 2] = SWITCH;
      this.tail = (this.tail + 4) >>> 0;
      // The reader reads the old ring up to the mark (this window's end there), then the new ring.
      Atomics.store(ring.hdr, COMMITTED + this.parity, this.tail | 0);
      let size = ring.size * 2;
      while (size < need + 4) size *= 2;
      this.ring = ring = this.newRing(size);
      this.tail = 0;
    }
    const at = this.tail & ring.mask;
    ring.i32[at >> 2] = len;
    const start = (at + 4) & ring.mask;
    const first = ring.size - start;
    if (len <= first) {
      ring.u8.set(bytes, start);
    } else {
      ring.u8.set(bytes.subarray(0, first), start);
      ring.u8.set(bytes.subarray(first), 0);
    }
    this.tail = (this.tail + need) >>> 0;
  }

  /** Before the barrier: this window's batches end here. */
  commit(): void {
    Atomics.store(this.ring.hdr, COMMITTED + this.parity, this.tail | 0);
    this.parity ^= 1;
  }
}

/** The reading end of one directed pair. */
export class RingReader {
  private ring: Ring | null = null;
  private head = 0;
  private parity = 0;

  /** `take` returns the next ring the writer posted (the pair's MessagePort). */
  constructor(private readonly take: () => SharedArrayBuffer) {}

  /** After the barrier: appends the batches the writer committed for this window to `out`, in order (each a copy of its own). */
  read(out: Uint8Array[]): void {
    const slot = COMMITTED + this.parity;
    this.parity ^= 1;
    let ring = this.ring ?? (this.ring = new Ring(this.take()));
    for (;;) {
      const end = Atomics.load(ring.hdr, slot) >>> 0;
      let head = this.head;
      while (head !== end) {
        const at = head & ring.mask;
        const len = ring.i32[at >> 2]!;
        if (len === SWITCH) break;
        const start = (at + 4) & ring.mask;
        const first = ring.size - start;
        let bytes: Uint8Array;
        if (len <= first) {
          bytes = ring.u8.slice(start, start + len);
        } else {
          bytes = new Uint8Array(len);
          bytes.set(ring.u8.subarray(start), 0);
          bytes.set(ring.u8.subarray(0, len - first), first);
        }
        out.push(bytes);
        head = (head + frameBytes(len)) >>> 0;
      }
      if (head === end) {
        if (head !== this.head) Atomics.store(ring.hdr, HEAD, (this.head = head) | 0);
        return;
      }
      // A switch mark: the rest of this window (and all after it) is in the next ring.
      ring = this.ring = new Ring(this.take());
      this.head = 0;
    }
  }
}

export class SabTransport implements Transport {
  private readonly streams: BatchStreams;
  private readonly writers: (RingWriter | undefined)[];
  private readonly readers: (RingReader | undefined)[];
  private readonly scratch: Uint8Array[] = [];

  constructor(
    readonly self: number,
    readonly partitions: number,
    private readonly control: SharedControl,
    /** ports[p] talks to partition p (undefined for self): it carries rings, not batches. */
    ports: (MessagePort | undefined)[],
  ) {
    this.streams = new BatchStreams(partitions);
    this.writers = ports.map((port) => port && new RingWriter((sab) => port.postMessage(sab)));
    this.readers = ports.map(
      (port, src) =>
        port &&
        new RingReader(() => {
          const m = receiveMessageOnPort(port);
          if (!m || !(m.message instanceof SharedArrayBuffer)) throw new Error(`partition ${src} switched rings without posting one`);
          return m.message;
        }),
    );
  }

  send(dst: number, records: RemoteRecord[]): void {
    this.writers[dst]!.write(this.streams.encode(dst, records));
  }

  sync(myNextNs: number, wantStop: boolean) {
    for (const w of this.writers) w?.commit();
    return this.control.sync(this.self, myNextNs, wantStop || Atomics.load(this.control.ctrl, 2) === 1);
  }

  receive(): RemoteRecord[][] {
    const out: RemoteRecord[][] = [];
    const bytes = this.scratch;
    for (let src = 0; src < this.readers.length; src++) {
      const reader = this.readers[src];
      if (!reader) continue;
      reader.read(bytes);
      for (let i = 0; i < bytes.length; i++) out.push(this.streams.decode(src, bytes[i]!));
      bytes.length = 0;
    }
    return out;
  }
}
