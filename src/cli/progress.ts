// Progress on stderr: virtual time, events/s, ETA. On a terminal one line redrawn in place; otherwise (a log
// file, a pipe, a systemd unit) a plain line every minute of wall time, so a long soak's log shows how far it got.
import { formatNs } from '../kernel/time.ts';

export interface ProgressSample {
  point: string;
  nowNs: number;
  endNs: number;
  events: number;
  wallSeconds: number;
  /** A resumed run: where it started (rates and ETA count from there). */
  startNs?: number;
  startEvents?: number;
}

/** Wall seconds to go as a person reads them: 42s, 12m05s, 3h07m (a paced soak's "ETA 11220s" had to be divided out). */
export function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 100) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
}

/** Wall time between progress lines when stderr is not a terminal. */
export const PROGRESS_LOG_EVERY_MS = 60_000;

export class Progress {
  private last = new Map<string, ProgressSample>();
  private readonly mode: boolean | 'log';
  private lastLogMs: number;

  /** `mode`: true redraws a line (a terminal), 'log' writes a line every `logEveryMs` of wall time, false nothing. */
  constructor(
    mode: boolean | 'log' = process.stderr.isTTY === true ? true : 'log',
    private readonly now: () => number = () => performance.now(),
    private readonly logEveryMs = PROGRESS_LOG_EVERY_MS,
  ) {
    this.mode = mode;
    this.lastLogMs = now();
  }

  update(s: ProgressSample): void {
    if (!this.mode) return;
    this.last.set(s.point, s);
    if (this.mode === 'log') {
      const t = this.now();
      if (t - this.lastLogMs < this.logEveryMs) return;
      this.lastLogMs = t;
      process.stderr.write(`vioemu: progress: ${this.parts().join(' | ')}\n`);
      return;
    }
    process.stderr.write(`\r\x1b[K${this.parts().join(' | ')}`);
  }

  /** Each point's virtual time, rate and ETA; the last three points updated. */
  private parts(): string[] {
    const parts = [...this.last.values()].map((p) => {
      const startNs = p.startNs ?? 0;
      const evps = p.wallSeconds > 0 ? (p.events - (p.startEvents ?? 0)) / p.wallSeconds : 0;
      const frac = p.endNs > startNs ? Math.max(0, p.nowNs - startNs) / (p.endNs - startNs) : 0;
      const eta = frac > 0 ? (p.wallSeconds * (1 - frac)) / frac : NaN;
      const tag = p.point ? `${p.point} ` : '';
      return `${tag}${formatNs(p.nowNs)}/${formatNs(p.endNs)} ${(evps / 1e6).toFixed(2)}M ev/s ETA ${Number.isFinite(eta) ? formatEta(eta) : '?'}`;
    });
    return parts.slice(-3);
  }

  done(point: string): void {
    this.last.delete(point);
    if (this.mode === true && this.last.size === 0) process.stderr.write('\r\x1b[K');
  }
}
