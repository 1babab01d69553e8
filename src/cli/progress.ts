// Progress line on stderr (only when it is a terminal): virtual time, events/s, ETA.
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

export class Progress {
  private last = new Map<string, ProgressSample>();
  private readonly enabled: boolean;

  constructor(enabled = process.stderr.isTTY === true) {
    this.enabled = enabled;
  }

  update(s: ProgressSample): void {
    if (!this.enabled) return;
    this.last.set(s.point, s);
    const parts = [...this.last.values()].map((p) => {
      const startNs = p.startNs ?? 0;
      const evps = p.wallSeconds > 0 ? (p.events - (p.startEvents ?? 0)) / p.wallSeconds : 0;
      const frac = p.endNs > startNs ? Math.max(0, p.nowNs - startNs) / (p.endNs - startNs) : 0;
      const eta = frac > 0 ? (p.wallSeconds * (1 - frac)) / frac : NaN;
      const tag = p.point ? `${p.point} ` : '';
      return `${tag}${formatNs(p.nowNs)}/${formatNs(p.endNs)} ${(evps / 1e6).toFixed(2)}M ev/s ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'}`;
    });
    process.stderr.write(`\r\x1b[K${parts.slice(-3).join(' | ')}`);
  }

  done(point: string): void {
    this.last.delete(point);
    if (this.enabled && this.last.size === 0) process.stderr.write('\r\x1b[K');
  }
}
