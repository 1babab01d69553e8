// zod building blocks shared by scenario sections: durations, integer ns,
// seeds and bounded integers — each rejecting values that cannot be used
// exactly (virtual time and counts are safe integers, below 2^53).
import { z } from 'zod';
import { parseDurationNs } from '../kernel/time.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 2^53 ns of virtual time, in days, for messages. */
const MAX_DAYS = Math.floor(MAX_SAFE / 86_400e9);
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$/;

/** A value as the user wrote it, short enough for a one-line message. */
export function show(v: unknown): string {
  let s: string;
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'bigint') s = String(v);
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
const tooLong = (v: unknown) => `too long: ${show(v)} is beyond 2^53 ns (about ${MAX_DAYS} days), the limit of virtual time`;

/** A duration: "10s", "250ms", "20us" or an integer number of ns; parsed to integer ns. */
export const durationNs = z.unknown().transform((v, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    return z.NEVER;
  };
  if (v === undefined) return fail('Required (a duration, e.g. 10s, 250ms, 20us or integer ns)');
  if (typeof v !== 'number' && typeof v !== 'string') return fail(`not a duration: ${show(v)} (use e.g. 10s, 250ms, 20us or integer ns)`);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return fail('not a duration: NaN');
    if (v < 0) return fail(`must not be negative, got ${v}`);
    if (v > MAX_SAFE) return fail(tooLong(v));
    if (!Number.isInteger(v)) return fail(`a bare number is integer ns, got ${v} (use e.g. 1.5us)`);
    return v;
  }
  if (v.trim().startsWith('-')) return fail(`must not be negative, got ${JSON.stringify(v)}`);
  // Without a unit it is ns, as a bare number is: a fraction of one would be rounded away silently.
  if (/^\s*\d*\.\d+\s*$/.test(v)) return fail(`a bare number is integer ns, got ${JSON.stringify(v)} (use e.g. 1.5us)`);
  const ns = parseDurationNs(v);
  if (ns !== null) return ns;
  const m = DURATION_RE.exec(v);
  if (m && Number(m[1]) * UNIT_NS[m[2] ?? 'ns']! > MAX_SAFE) return fail(tooLong(v));
  return fail(`not a duration: ${JSON.stringify(v)} (use e.g. 10s, 250ms, 20us or integer ns)`);
});

const safeInt = z.number().int().max(MAX_SAFE, `too large: beyond 2^53 (${MAX_SAFE})`);
export const nonNegInt = safeInt.nonnegative();
export const posInt = safeInt.positive();
export const fraction = z.number().min(0).max(1);
/** A domain's credit weight: 16 bits in Xen (struct xen_domctl_sched_credit's uint16_t weight), 256 unless set. */
export const creditWeight = posInt.max(65535, 'at most 65535 (Xen keeps a credit weight in 16 bits)').default(256);
/**
 * A domain's credit cap, % of one PCPU (0 = none): 16 bits too (xen_domctl_sched_credit's uint16_t cap), and
 * csched_dom_cntl takes 65535, (uint16_t)~0U, as "leave the cap unchanged", so 65534 is the most it can be set to.
 */
export const creditCap = nonNegInt.max(65534, 'at most 65534 (Xen keeps a credit cap in 16 bits; csched_dom_cntl reads 65535 as "leave it unchanged")').default(0);
const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** A size in bytes: an integer, or "256KiB", "1.5MB" (KB = 1000 B, KiB = 1024 B). */
export const sizeBytes = z.unknown().transform((v, ctx) => {
  const fail = (why = '') => {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a size: ${show(v)}${why} (use an integer number of bytes or e.g. 64KiB, 1.5MB)` });
    return z.NEVER;
  };
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : fail();
  if (typeof v !== 'string') return fail();
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/.exec(v);
  if (!m) return fail();
  // In exact decimal arithmetic: "1.5" or "1.1KiB" (1126.4) is no whole number of bytes and is refused, not
  // rounded, at any size ("1000000.5" too, which a tolerance relative to the size let through as 1000001).
  const [whole, frac = ''] = m[1]!.split('.');
  const scaled = BigInt(whole! + frac) * BigInt(UNIT_BYTES[m[2] ?? 'B']!);
  const div = 10n ** BigInt(frac.length);
  if (scaled % div !== 0n) return fail(` is ${Number(m[1]) * UNIT_BYTES[m[2] ?? 'B']!} bytes, not a whole number`);
  const n = Number(scaled / div);
  return Number.isSafeInteger(n) && n > 0 ? n : fail();
});

/**
 * iperf's -l: bytes per write(), given as a size (64KiB for iperf's -l 64K); at most 4 GiB, so that one call's
 * copy fits virtual time at any allowed cost.
 */
export const messageBytes = sizeBytes.pipe(posInt.max(2 ** 32, 'at most 4 GiB (4294967296) a write'));

/** An integer in [min, max]; the message names the range and the value given. */
export function intInRange(min: number, max: number, what = '') {
  return z.unknown().transform((v, ctx) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `want an integer in ${min}..${max}${what ? ` (${what})` : ''}, got ${show(v)}` });
    return z.NEVER;
  });
}

export const SEED_MAX = 2 ** 32 - 1;
/** Seeds are 32-bit: larger values would silently wrap (2^32 + 1 ≡ 1). */
export const seedField = intInRange(0, SEED_MAX, '2^32 - 1 at most');

/**
 * A domain's per-VCPU lists (placement, and pin given as a list per VCPU) are read by VCPU index (the list repeats
 * when shorter): items past its VCPUs would be ignored silently, so they are refused where they are written.
 */
export function checkPerVcpuLists(d: { vcpus: number; placement?: number[] | undefined; pin?: unknown }, ctx: z.RefinementCtx): void {
  const over = (field: string, n: number) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: `${n} entries for ${d.vcpus} VCPU${d.vcpus === 1 ? '' : 's'} (vcpus): one per VCPU at most, the rest would be ignored` });
  if (d.placement && d.placement.length > d.vcpus) over('placement', d.placement.length);
  if (Array.isArray(d.pin) && Array.isArray(d.pin[0]) && d.pin.length > d.vcpus) over('pin', d.pin.length);
}
