import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/report/reproduce.ts';
import type { TargetRow } from '../../src/report/targets.ts';

describe('the printed table', () => {
  it('keeps every character of a long cell (the seeds’ min…max, the whole tolerance)', () => {
    const emulated = '5.53 Gbps (100% of Linux), util 238% vs 125% [5.50 Gbps (99% of Linux), util 238% vs 125% … 5.54 Gbps (100% of Linux), util 239% vs 125%]';
    const tolerance = 'Dom0 > DomU at every size; the gap per Gbps non-increasing with size at every step (2% slack)';
    const row: TargetRow = { id: 'T3', figure: 'Fig 3', condition: 'iperf in Dom0', paper: '≈ Linux', emulated, tolerance, pass: true, source: 'x', kind: 'prediction' };
    const lines = formatTable([row]).split('\n');
    // Read a column back from its character range on the row's lines (the header and rule are lines 0 and 1).
    const column = (name: string) => {
      const start = lines[0]!.indexOf(name);
      const width = lines[1]!.slice(start).indexOf(' ');
      return lines.slice(2).filter((l) => l.length > start && !l.startsWith('predictions')).map((l) => l.slice(start, start + width).trim()).filter(Boolean).join(' ');
    };
    expect(column('emulated')).toBe(emulated);
    expect(column('tolerance')).toBe(tolerance);
  });
});
