// Transport for a partition whose peers are in other processes (any machine).
// The partition loop is synchronous; network clients are not. So the
// partition runs on a worker thread, as always, and hands each window to a
// relay on its process's main thread (src/cluster/natsTransport.ts carries it
// over NATS): batches per destination, then the window report (next-event
// time, stop wish). It blocks on a SharedArrayBuffer until the relay posts the
// agreed decision (GVT, stop) with the batches the peers sent this window, or
// a failure (server gone, peer silent, peer failed), which it throws.
//
// Relay → partition messages are read synchronously with receiveMessageOnPort:
// each bump of the wake counter means exactly one message is waiting.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BatchStreams } from './codec.ts';
import type { Transport } from './partitionLoop.ts';
import type { RemoteRecord } from './sim.ts';

/** What a partition task gets to talk to its relay. */
export interface RelayEnds {
  /** Int32 [0]: wake counter, bumped by the relay after posting each message. */
  wake: SharedArrayBuffer;
  port: MessagePort;
}

/** Partition → relay. */
export type ToRelay = { t: 'batch'; dst: number; bytes: Uint8Array } | { t: 'sync'; w: number; nextNs: number; stop: boolean };

/** Relay → partition. */
export type FromRelay =
  /** batches[i] came from partition from[i] (each source's in the order it sent them). */
  | { t: 'decision'; w: number; gvtNs: number; stop: boolean; batches: Uint8Array[]; from: number[] }
  /** `name` TransportError for the relay's own failures; an echo of a peer's failure carries the abort-echo message. */
  | { t: 'fail'; name: string; message: string };

/** Error name of failures of the transport itself (server gone, a peer silent). */
export const TRANSPORT_ERROR = 'TransportError';

export const RELAY_WAKE_BYTES = 8;

export class RelayTransport implements Transport {
  private readonly wake: Int32Array;
  private seen = 0;
  private window = 0;
  private received: Uint8Array[] = [];
  private receivedFrom: number[] = [];
  private readonly streams: BatchStreams;

  constructor(
    readonly self: number,
    readonly partitions: number,
    private readonly ends: RelayEnds,
  ) {
    this.wake = new Int32Array(ends.wake, 0, 1);
    this.streams = new BatchStreams(partitions);
  }

  send(dst: number, records: RemoteRecord[]): void {
    // Copied at once into a buffer of its own: the codec reuses its buffer, and a view would clone all of it.
    this.ends.port.postMessage({ t: 'batch', dst, bytes: new Uint8Array(this.streams.encode(dst, records)) } satisfies ToRelay);
  }

  sync(myNextNs: number, wantStop: boolean) {
    const w = this.window++;
    this.ends.port.postMessage({ t: 'sync', w, nextNs: myNextNs, stop: wantStop } satisfies ToRelay);
    // A short spin catches quick answers without a futex wake-up; then sleep in slices.
    let spins = 0;
    while (Atomics.load(this.wake, 0) === this.seen) {
      if (++spins < 2_000) continue;
      Atomics.wait(this.wake, 0, this.seen, 100);
    }
    this.seen++;
    const m = receiveMessageOnPort(this.ends.port)?.message as FromRelay | undefined;
    if (!m) throw Object.assign(new Error('relay woke the partition without a message'), { name: TRANSPORT_ERROR });
    if (m.t === 'fail') throw Object.assign(new Error(m.message), { name: m.name });
    if (m.w !== w) throw Object.assign(new Error(`relay answered window ${m.w}, expected ${w}`), { name: TRANSPORT_ERROR });
    this.received = m.batches;
    this.receivedFrom = m.from;
    return { gvtNs: m.gvtNs, stop: m.stop };
  }

  receive(): RemoteRecord[][] {
    const out = this.received.map((b, i) => this.streams.decode(this.receivedFrom[i]!, b));
    this.received = [];
    this.receivedFrom = [];
    return out;
  }
}
