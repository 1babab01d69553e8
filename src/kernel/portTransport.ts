// One-machine transport: a MessagePort per peer for batches (msgpackr-encoded)
// and a SharedArrayBuffer barrier. Batches posted before the barrier are in the
// peer's port queue when it passes the barrier, so it drains them synchronously.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SharedControl } from './barrier.ts';
import { BatchStreams } from './codec.ts';
import type { Transport } from './partitionLoop.ts';
import type { RemoteRecord } from './sim.ts';

export class PortTransport implements Transport {
  private readonly streams: BatchStreams;

  constructor(
    readonly self: number,
    readonly partitions: number,
    private readonly control: SharedControl,
    /** ports[p] talks to partition p (undefined for self). */
    private readonly ports: (MessagePort | undefined)[],
  ) {
    this.streams = new BatchStreams(partitions);
  }

  send(dst: number, records: RemoteRecord[]): void {
    this.ports[dst]!.postMessage(this.streams.encode(dst, records));
  }

  sync(myNextNs: number, wantStop: boolean) {
    return this.control.sync(this.self, myNextNs, wantStop || this.stopRequestedOutside());
  }

  private stopRequestedOutside(): boolean {
    return Atomics.load(this.control.ctrl, 2) === 1;
  }

  receive(): RemoteRecord[][] {
    const out: RemoteRecord[][] = [];
    this.ports.forEach((port, src) => {
      if (!port) return;
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        out.push(this.streams.decode(src, m.message as Uint8Array));
      }
    });
    return out;
  }
}
