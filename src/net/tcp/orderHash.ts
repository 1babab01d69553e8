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

/**
 * Fold segments [fromSeq, toSeq) in increasing order: orderHashStep per
 * segment with both fmix32 calls written out (the receiver folds every
 * delivered segment, ~600K per paper run; in a run's first, interpreted
 * moments the calls cost more than the arithmetic). Same operations in the
 * same order, so the same bits (tested against orderHashStep).
 */
export function orderHashRange(hash: number, fromSeq: number, toSeq: number): number {
  let h = hash;
  for (let s = fromSeq; s < toSeq; s++) {
    // x = fmix32(lo ^ imul(hi, 0x9e3779b1))
    let x = (s >>> 0) ^ Math.imul(Math.floor(s / 4294967296) >>> 0, 0x9e3779b1);
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    x = x >>> 0;
    // h = fmix32(imul(h ^ x, 0x01000193) + 0x9e3779b9)
    let y = Math.imul(h ^ x, 0x01000193) + 0x9e3779b9;
    y ^= y >>> 16;
    y = Math.imul(y, 0x85ebca6b);
    y ^= y >>> 13;
    y = Math.imul(y, 0xc2b2ae35);
    y ^= y >>> 16;
    h = y >>> 0;
  }
  return h;
}

/** Hash of an in-order delivery of segments startSeq .. startSeq + nSegs - 1. */
export function orderHashOfPrefix(nSegs: number, startSeq = 0): number {
  return orderHashRange(ORDER_HASH_SEED, startSeq, startSeq + nSegs);
}
