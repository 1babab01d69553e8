// Bob Jenkins' lookup2 hash as Linux 2.6.18 include/linux/jhash.h uses it
// (jhash_3words), for the bridge forwarding database (br_mac_hash).

function mix(a: number, b: number, c: number): [number, number, number] {
  a = (a - b - c) | 0; a ^= c >>> 13;
  b = (b - c - a) | 0; b ^= a << 8;
  c = (c - a - b) | 0; c ^= b >>> 13;
  a = (a - b - c) | 0; a ^= c >>> 12;
  b = (b - c - a) | 0; b ^= a << 16;
  c = (c - a - b) | 0; c ^= b >>> 5;
  a = (a - b - c) | 0; a ^= c >>> 3;
  b = (b - c - a) | 0; b ^= a << 10;
  c = (c - a - b) | 0; c ^= b >>> 15;
  return [a, b, c];
}

const JHASH_GOLDEN_RATIO = 0x9e3779b9;

export function jhash3words(a: number, b: number, c: number, initval: number): number {
  a = (a + JHASH_GOLDEN_RATIO) | 0;
  b = (b + JHASH_GOLDEN_RATIO) | 0;
  c = (c + initval) | 0;
  return mix(a, b, c)[2] >>> 0;
}

/** br_mac_hash: hash of a 48-bit MAC into `buckets` (256 in 2.6.18). */
export function brMacHash(macHi16: number, macLo32: number, salt: number, buckets: number): number {
  return jhash3words(macHi16, macLo32, 0, salt) % buckets;
}
