// Timings of the queue that tests shorten through environment variables (no
// CLI flags: the defaults are what a deployment wants). A malformed value is a
// usage error (exit 2) naming the variable. Kept apart from the client code.
import { parseDurationNs } from '../kernel/time.ts';
import { UsageError } from '../cli/usage.ts';

/** Worker: how long a job's lock lasts without renewal; also how often the stalled check runs. */
export const LOCK_ENV = 'VIOEMU_QUEUE_LOCK_DURATION';
/** Sweep: how long Redis may stay unreachable before the sweep gives up. */
export const GIVE_UP_ENV = 'VIOEMU_QUEUE_GIVE_UP_AFTER';
/** Sweep: how long a command may go unanswered on an open connection before Redis counts as unreachable. */
export const NO_ANSWER_ENV = 'VIOEMU_QUEUE_NO_ANSWER_AFTER';

/** A duration (e.g. "2s", "500ms") from `process.env[name]`, in ms; `fallbackMs` when unset or empty. */
export function envDurationMs(name: string, fallbackMs: number, minMs = 1_000, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallbackMs;
  const ns = parseDurationNs(text);
  const ms = ns === null ? NaN : ns / 1e6;
  if (!(ms >= minMs)) throw new UsageError(`${name}: want a duration of at least ${minMs / 1000}s (e.g. 30s), got ${JSON.stringify(text)}`);
  return Math.round(ms);
}
