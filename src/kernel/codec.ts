// msgpackr codec for cross-partition batches: one pack per destination per
// window. Every batch is self-contained: msgpackr's records are defined
// inside the pack that uses them, so a batch decodes on its own, whatever the
// same thread encoded for other peers or decoded from them before. (Sequential
// mode, which refers back to structures of earlier packs, assumed one stream
// per thread pair: with three or more partitions one partition's second peer
// was sent references to structures only its first peer had seen, and a
// receiver's structure table mixed two senders' — "Data read, but end of
// buffer not reached", or records decoded with another sender's keys.)
import { Packr, Unpackr } from 'msgpackr';
import type { RemoteRecord } from './sim.ts';

const packr = new Packr();
const unpackr = new Unpackr();

export function encodeBatch(records: readonly RemoteRecord[]): Uint8Array {
  return packr.pack(records);
}

export function decodeBatch(bytes: Uint8Array): RemoteRecord[] {
  return unpackr.unpack(bytes) as RemoteRecord[];
}
