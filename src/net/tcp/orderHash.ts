// Order-sensitive running hash of delivered segment numbers, so a test can
// prove that the receiver handed every segment to the socket in order,
// exactly once: compare with orderHashOfPrefix(n) for the delivered prefix.

import { fmix32 } from '../../kernel/rng.ts';

export const ORDER_HASH_SEED = 0x811c9dc5;

/** Fold one segment number into the hash (non-commutative: order matters). */
export function orderHashStep(hash: number, seq: number): number {
  const lo = seq >>> 0;
  const hi = Math.floor(seq / 4294967296) >>> 0;
  return fmix32(Math.imul(hash ^ fmix32(lo ^ Math.imul(hi, 0x9e3779b1)), 0x01000193) + 0x9e3779b9);
}

/** Fold segments [fromSeq, toSeq) in increasing order. */
export function orderHashRange(hash: number, fromSeq: number, toSeq: number): number {
  let h = hash;
  for (let s = fromSeq; s < toSeq; s++) h = orderHashStep(h, s);
  return h;
}

/** Hash of an in-order delivery of segments startSeq .. startSeq + nSegs - 1. */
export function orderHashOfPrefix(nSegs: number, startSeq = 0): number {
  return orderHashRange(ORDER_HASH_SEED, startSeq, startSeq + nSegs);
}
