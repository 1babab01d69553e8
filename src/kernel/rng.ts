// Per-actor seeded PRNG: sfc32 seeded by a hash of (scenario seed, actor id), so
// an actor's draws do not depend on which partition or thread runs it.

/** 32-bit mix (murmur3 finalizer). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashSeed(seed: number, actorId: number, salt = 0): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(actorId >>> 0, 0xcc9e2d51) ^ Math.floor(actorId / 2 ** 32));
  return fmix32(h ^ salt);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, actorId: number) {
    this.a = hashSeed(seed, actorId, 1);
    this.b = hashSeed(seed, actorId, 2);
    this.c = hashSeed(seed, actorId, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Exponential with the given mean, rounded to an integer (for ns delays). */
  expInt(mean: number): number {
    return Math.round(-Math.log(1 - this.next()) * mean);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }
}
