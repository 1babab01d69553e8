// `vioemu reproduce --quick --json`: one row per target, every emulated value
// read from a result file of this invocation (the "source" column).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { FIGURE_IDS } from '../../src/report/figures.ts';

describe('reproduce --quick --json', () => {
  it('prints a row per target T1–T14 computed from this run’s result files, and writes figures and index.html', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-repro-'));
    const r = await runCli(['reproduce', '--quick', '--json', '--out', out, '--workers', '2'], { timeoutMs: 400_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const { rows } = JSON.parse(r.stdout) as { rows: { id: string; paper: string; emulated: string; tolerance: string; pass: boolean; source: string }[] };
    for (let i = 1; i <= 14; i++) expect(rows.some((x) => x.id === `T${i}` || x.id.startsWith(`T${i}-`)), `T${i}`).toBe(true);
    expect(new Set(rows.map((x) => x.id)).size).toBe(rows.length);
    for (const row of rows) {
      expect(typeof row.pass).toBe('boolean');
      expect(row.paper.length).toBeGreaterThan(0);
      expect(row.emulated.length).toBeGreaterThan(0);
      const file = join(out, row.source);
      expect(existsSync(file), row.source).toBe(true);
      const res = JSON.parse(readFileSync(file, 'utf8'));
      expect(res.model).toBe('net');
      expect(res.virtualSeconds).toBeGreaterThan(1);
    }
    // The bandwidth rows quote the very throughput of their source file.
    for (const id of ['T1', 'T2', 'T12', 'T13']) {
      const row = rows.find((x) => x.id === id)!;
      const res = JSON.parse(readFileSync(join(out, row.source), 'utf8'));
      expect(row.emulated).toBe(`${res.throughputGbps.toFixed(2)} Gbps`);
    }
    const all = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(all.points.length).toBeGreaterThan(60);
    for (const f of ['fig3', 'fig5', 'fig7', 'fig8', 'fig9', 'fig11', 'fig12', 'fig13']) expect(existsSync(join(out, `${f}.svg`)), f).toBe(true);
    // The figures `vioemu reproduce` checks its --out for before running are the ones it writes.
    expect(readdirSync(out).filter((f) => f.endsWith('.svg')).sort()).toEqual(FIGURE_IDS.map((id) => `${id}.svg`).sort());
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const row of rows) expect(html).toContain(row.id);
  });
});
