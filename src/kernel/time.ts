// Virtual time is an integer count of nanoseconds.
export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export function assertNs(valueNs: number, what: string): number {
  if (!Number.isSafeInteger(valueNs) || valueNs < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of ns, got ${valueNs}`);
  }
  return valueNs;
}

/** Round a (possibly fractional) millisecond delay, as XState passes it, to integer ns. */
export function msToNs(ms: number): number {
  return Math.max(0, Math.round(ms * NS_PER_MS));
}

export function nsToSeconds(ns: number): number {
  return ns / NS_PER_S;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: NS_PER_US, µs: NS_PER_US, ms: NS_PER_MS, s: NS_PER_S, m: 60 * NS_PER_S, h: 3600 * NS_PER_S };

/** A duration as text: a number and an optional unit. */
const DURATION_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$/;

/** Written as a duration, whether or not it fits in virtual time (parseDurationNs's null says neither). */
export function looksLikeDuration(text: string): boolean {
  return DURATION_TEXT.test(text);
}

/** Parse "10s", "250ms", "1.5h", "20us" or a bare number of ns. Returns null when malformed. */
export function parseDurationNs(text: string | number): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  const m = DURATION_TEXT.exec(text);
  if (!m) return null;
  const ns = Math.round(Number(m[1]) * UNIT_NS[m[2] ?? 'ns']!);
  return Number.isSafeInteger(ns) ? ns : null;
}

export function formatNs(ns: number): string {
  if (ns >= NS_PER_S) return `${(ns / NS_PER_S).toFixed(3)}s`;
  if (ns >= NS_PER_MS) return `${(ns / NS_PER_MS).toFixed(3)}ms`;
  if (ns >= NS_PER_US) return `${(ns / NS_PER_US).toFixed(3)}us`;
  return `${ns}ns`;
}
