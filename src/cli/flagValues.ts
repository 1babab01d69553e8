// Flag values checked at the edge: a bad one is a UsageError (exit 2) naming
// the flag, what it wants and what it got.
import { formatNs, looksLikeDuration, NS_PER_MS, parseDurationNs } from '../kernel/time.ts';
import { UsageError } from './usage.ts';

export function intFlag(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}: want an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function numFlag(name: string, v: string | undefined, min: number, max?: { value: number; why: string }): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name}: want a number >= ${min}, got ${JSON.stringify(v)}`);
  if (max && n > max.value) throw new UsageError(`--${name}: at most ${max.value} (${max.why}), got ${JSON.stringify(v)}`);
  return n;
}

/** Node's timers hold at most 2^31 - 1 ms: a longer linger fired after 1 ms, with a TimeoutOverflowWarning. */
export const MAX_LINGER = { value: Math.floor((2 ** 31 - 1) / 1000), why: 'about 24 days, the longest timer Node keeps' };
/**
 * 9999-12-31T23:59:59Z, the last second RFC 3339 timestamps write: far beyond it the file's timestamps lost
 * their milliseconds, then read Infinity.
 */
export const MAX_EPOCH = { value: 253_402_300_799, why: '9999-12-31T23:59:59Z' };

/**
 * A time flag in ns: not a duration, beyond virtual time's 2^53 ns, and below `minNs` are each said
 * as what they are. A checkpoint costs tens of ms of wall time, so one every nanosecond would never end.
 */
export function durationFlag(name: string, v: string, minNs = NS_PER_MS): number {
  const ns = parseDurationNs(v);
  if (ns === null) {
    if (looksLikeDuration(v)) throw new UsageError(`--${name}: too long: ${JSON.stringify(v)} is beyond 2^53 ns (about 104 days)`);
    throw new UsageError(`--${name}: not a duration: ${JSON.stringify(v)} (want e.g. 500ms, 10s, 2h)`);
  }
  if (ns < minNs) throw new UsageError(`--${name}: too short: ${JSON.stringify(v)}; at least ${formatNs(minNs)}`);
  return ns;
}
