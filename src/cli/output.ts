// Writing results: stdout JSON, --out directory, human summary.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../run/result.ts';

/** Whole or not at all: a reader polling for the file never sees half of it. */
function writeJsonAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function writeOutDir(dir: string, results: RunResult[]): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  if (results.length === 1) {
    const f = join(dir, 'result.json');
    writeJsonAtomically(f, results[0]);
    files.push(f);
  } else {
    results.forEach((r, i) => {
      const f = join(dir, `point-${String(i).padStart(3, '0')}.json`);
      writeJsonAtomically(f, r);
      files.push(f);
    });
    const f = join(dir, 'results.json');
    writeJsonAtomically(f, results);
    files.push(f);
  }
  return files;
}

const SKIP = new Set(['threads']);

export function humanSummary(r: RunResult): string {
  const lines = [`${r.scenario}${r.point ? ` [${r.point}]` : ''}: ${r.virtualSeconds.toFixed(3)} virtual s in ${r.wallSeconds.toFixed(2)} wall s (x${r.realTimeFactor.toFixed(2)}), ${r.events} events${r.interrupted ? ' — INTERRUPTED' : ''}`];
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const [k, v] of Object.entries(r)) {
    if (SKIP.has(k) || ['scenario', 'point', 'virtualSeconds', 'wallSeconds', 'realTimeFactor', 'events', 'interrupted', 'error'].includes(k)) continue;
    const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : JSON.stringify(v);
    lines.push(`  ${k}: ${s.length > 200 ? s.slice(0, 197) + '...' : s}`);
  }
  return lines.join('\n');
}
