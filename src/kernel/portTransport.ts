// One-machine transport: a MessagePort per peer for batches (msgpackr-encoded)
// and a SharedArrayBuffer barrier. Batches posted before the barrier are in the
// peer's port queue when it passes the barrier, so it drains them synchronously.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SharedControl } from './barrier.ts';
import { decodeBatch, encodeBatch } from './codec.ts';
import type { Transport } from './partitionLoop.ts';
import type { RemoteRecord } from './sim.ts';

export class PortTransport implements Transport {
  constructor(
    readonly self: number,
    readonly partitions: number,
    private readonly control: SharedControl,
    /** ports[p] talks to partition p (undefined for self). */
    private readonly ports: (MessagePort | undefined)[],
  ) {}

  send(dst: number, records: RemoteRecord[]): void {
    this.ports[dst]!.postMessage(encodeBatch(records));
  }

  sync(myNextNs: number, wantStop: boolean) {
    return this.control.sync(this.self, myNextNs, wantStop || this.stopRequestedOutside());
  }

  private stopRequestedOutside(): boolean {
    return Atomics.load(this.control.ctrl, 2) === 1;
  }

  receive(): RemoteRecord[][] {
    const out: RemoteRecord[][] = [];
    for (const port of this.ports) {
      if (!port) continue;
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        out.push(decodeBatch(m.message as Uint8Array));
      }
    }
    return out;
  }
}
