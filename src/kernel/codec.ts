// msgpackr codec for cross-partition batches: one pack per destination per
// window, on one stream per ordered pair of partitions. Sequential mode writes
// a record structure into the stream the first time it is used and refers back
// to it after, which is what makes batches small and quick — and holds only
// while every pack is decoded once, in order, by the decoder of its own stream.
// So a partition keeps an encoder per destination and a decoder per source:
// with one codec shared by all peers, a partition with two peers sent the
// second references to structures only the first had seen, and a receiver fed
// by two senders mixed their tables ("Data read, but end of buffer not
// reached", or records decoded with another sender's keys). A resumed run
// starts every stream afresh on both sides.
import { Packr, Unpackr } from 'msgpackr';
import type { RemoteRecord } from './sim.ts';

/** The sending end of one stream (this partition → one peer). */
export class BatchEncoder {
  private readonly packr = new Packr({ sequential: true });

  encode(records: readonly RemoteRecord[]): Uint8Array {
    return this.packr.pack(records);
  }
}

/** The receiving end of one stream (one peer → this partition). */
export class BatchDecoder {
  private readonly unpackr = new Unpackr({ sequential: true });

  decode(bytes: Uint8Array): RemoteRecord[] {
    return this.unpackr.unpack(bytes) as RemoteRecord[];
  }
}

/** One end's streams: an encoder per destination and a decoder per source partition. */
export class BatchStreams {
  private readonly encoders: BatchEncoder[];
  private readonly decoders: BatchDecoder[];

  constructor(partitions: number) {
    this.encoders = Array.from({ length: partitions }, () => new BatchEncoder());
    this.decoders = Array.from({ length: partitions }, () => new BatchDecoder());
  }

  encode(dst: number, records: readonly RemoteRecord[]): Uint8Array {
    return this.encoders[dst]!.encode(records);
  }

  decode(src: number, bytes: Uint8Array): RemoteRecord[] {
    return this.decoders[src]!.decode(bytes);
  }
}
