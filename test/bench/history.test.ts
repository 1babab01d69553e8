// The bench history: entries appended as JSON lines, the previous entry of the
// same mode found, and the ratios printed next to each figure (× raw, ×ref
// with the machine's speed taken out).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendHistory, formatLine, formatPreamble, normalised, previousEntry, readHistory, type HistoryEntry } from './history.ts';

const machine = { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', load1: 0.5 };
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  commit: 'abc', dirty: false, date: '2026-01-01T00:00:00.000Z', quick: false, soak: false, launch: 'dist/', machine, reference: 10e6, entries: [], ...over,
});

describe('bench history', () => {
  it('appends JSON lines, skips a damaged line, finds the latest entry of the same mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-hist-'));
    try {
      const file = join(dir, 'sub', 'history.jsonl');
      expect(readHistory(file)).toEqual([]);
      appendHistory(file, entry({ commit: 'one' }));
      appendHistory(file, entry({ commit: 'two', quick: true }));
      writeFileSync(file, readFileSync(file, 'utf8') + '{"commit": "cut short\n');
      appendHistory(file, entry({ commit: 'three' }));
      const h = readHistory(file);
      expect(h.map((e) => e.commit)).toEqual(['one', 'two', 'three']);
      expect(previousEntry(h, false)!.commit).toBe('three');
      expect(previousEntry(h, true)!.commit).toBe('two');
      expect(previousEntry(h.slice(0, 1), true)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the machine out: rates ÷ reference, times × reference, sizes as they are', () => {
    expect(normalised({ name: 'r', value: 20e6, unit: 'events/s' }, 10e6)).toBe(2);
    expect(normalised({ name: 't', value: 0.5, unit: 's', kind: 'time' }, 10e6)).toBe(5e6);
    expect(normalised({ name: 's', value: 100, unit: 'MiB', kind: 'size' }, 10e6)).toBe(100);
  });

  it('prints the previous figure, the raw ratio and the machine-independent one', () => {
    // The previous machine was half as fast: a figure that doubled did not get better per unit of machine speed.
    const prev = entry({ reference: 5e6, entries: [{ name: 'fig3: rtf', value: 1, unit: 'x', workers: 1 }, { name: 'start-up', value: 0.4, unit: 's', kind: 'time' }] });
    const rate = formatLine({ name: 'fig3: rtf', value: 2, unit: 'x', workers: 1, note: 'n' }, 10e6, prev);
    expect(rate).toMatch(/^fig3: rtf \(workers 1\)\s+2\.000 x\s+1\.000\s+×2\.00\s+×1\.00  n$/);
    const time = formatLine({ name: 'start-up', value: 0.2, unit: 's', kind: 'time' }, 10e6, prev);
    expect(time).toMatch(/0\.200 s\s+0\.400\s+×0\.50\s+×1\.00$/);
    // A figure the previous entry did not have (or other workers): no comparison.
    expect(formatLine({ name: 'fig3: rtf', value: 2, unit: 'x', workers: 2 }, 10e6, prev)).toMatch(/2\.000 x$/);
    expect(formatPreamble({ ...entry({}), machine: { ...machine, cpu: 'Other CPU' } }, prev)[1]).toContain('Test CPU, 2 cores');
    expect(formatPreamble(entry({}), undefined)[1]).toMatch(/no previous entry/);
  });
});
