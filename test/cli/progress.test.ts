// The progress line on stderr: virtual time of each point, events per wall second and the ETA,
// counted from where a resumed run started; the last three points; cleared when all are done.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatEta, Progress, PROGRESS_LOG_EVERY_MS } from '../../src/cli/progress.ts';

const MS = 1e6;
let written: string[] = [];

function capture() {
  written = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('progress line', () => {
  it('writes nothing when disabled (stderr not a terminal)', () => {
    capture();
    const p = new Progress(false);
    p.update({ point: '', nowNs: 250 * MS, endNs: 1000 * MS, events: 2e6, wallSeconds: 1 });
    p.done('');
    expect(written).toEqual([]);
  });

  it('virtual time, events per wall second and the ETA from the fraction done', () => {
    capture();
    const p = new Progress(true);
    // A quarter done in 1 s of wall time: 3 s to go.
    p.update({ point: '', nowNs: 250 * MS, endNs: 1000 * MS, events: 2e6, wallSeconds: 1 });
    // Nothing done yet: no ETA.
    p.update({ point: '', nowNs: 0, endNs: 1000 * MS, events: 0, wallSeconds: 0 });
    expect(written).toEqual(['\r\x1b[K250.000ms/1.000s 2.00M ev/s ETA 3s', '\r\x1b[K0ns/1.000s 0.00M ev/s ETA ?']);
    p.done('');
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('a resumed run counts rate and ETA from where it started, not from zero', () => {
    capture();
    const p = new Progress(true);
    // Resumed at 500 ms after 1M events; 2M more events and half the rest done in 2 s: 2 s to go.
    p.update({ point: 'x', nowNs: 750 * MS, endNs: 1000 * MS, events: 3e6, wallSeconds: 2, startNs: 500 * MS, startEvents: 1e6 });
    expect(written).toEqual(['\r\x1b[Kx 750.000ms/1.000s 1.00M ev/s ETA 2s']);
  });

  it('several points: the last three updated, each with its tag; the line is cleared only when the last is done', () => {
    capture();
    const p = new Progress(true);
    for (const [point, ms] of [['a', 100], ['b', 200], ['c', 300], ['d', 500]] as const) p.update({ point, nowNs: ms * MS, endNs: 1000 * MS, events: 0, wallSeconds: 1 });
    expect(written.at(-1)).toBe('\r\x1b[Kb 200.000ms/1.000s 0.00M ev/s ETA 4s | c 300.000ms/1.000s 0.00M ev/s ETA 2s | d 500.000ms/1.000s 0.00M ev/s ETA 1s');
    const n = written.length;
    p.done('a');
    p.done('b');
    p.done('c');
    expect(written.length).toBe(n);
    p.done('d');
    expect(written.slice(n)).toEqual(['\r\x1b[K']);
  });
});

describe('progress in a log (stderr not a terminal)', () => {
  // A soak run under systemd, nohup or `2>run.log` showed nothing for hours: progress went only to a terminal.
  it('a plain line once a minute of wall time, none before; nothing to clear at the end', () => {
    capture();
    let t = 1000;
    const p = new Progress('log', () => t);
    p.update({ point: '', nowNs: 100 * MS, endNs: 1000 * MS, events: 1e6, wallSeconds: 1 });
    t += PROGRESS_LOG_EVERY_MS - 1;
    p.update({ point: '', nowNs: 200 * MS, endNs: 1000 * MS, events: 2e6, wallSeconds: 2 });
    expect(written).toEqual([]);
    t += 1;
    // A quarter done in 60 s of wall time: 180 s to go.
    p.update({ point: '', nowNs: 250 * MS, endNs: 1000 * MS, events: 60e6, wallSeconds: 60 });
    p.update({ point: '', nowNs: 260 * MS, endNs: 1000 * MS, events: 61e6, wallSeconds: 61 });
    expect(written).toEqual(['vioemu: progress: 250.000ms/1.000s 1.00M ev/s ETA 3m00s\n']);
    p.done('');
    expect(written).toHaveLength(1);
  });
});

describe('ETA', () => {
  it('in seconds below 100 s, then minutes, then hours (a paced 2 h soak read "ETA 7185s")', () => {
    expect([3, 99.4, 100, 725, 3599, 3600, 7185, 11220].map(formatEta)).toEqual(['3s', '99s', '1m40s', '12m05s', '59m59s', '1h00m', '2h00m', '3h07m']);
  });
});
