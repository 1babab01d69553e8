// msgpackr codec for cross-partition batches: one pack per destination per
// window. `sequential` mode writes record structures into the stream itself,
// so the receiving thread needs no shared structure table.
import { Packr, Unpackr } from 'msgpackr';
import type { RemoteRecord } from './sim.ts';

const packr = new Packr({ sequential: true });
const unpackr = new Unpackr({ sequential: true });

export function encodeBatch(records: readonly RemoteRecord[]): Uint8Array {
  return packr.pack(records);
}

export function decodeBatch(bytes: Uint8Array): RemoteRecord[] {
  return unpackr.unpack(bytes) as RemoteRecord[];
}
