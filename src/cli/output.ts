// Writing results: stdout JSON, --out directory, human summary.
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { writeAll, writeFileAtomically } from '../run/atomicFile.ts';
import { basename, join } from 'node:path';
import { formatNs } from '../kernel/time.ts';
import type { RunResult } from '../run/result.ts';

/** Whole or not at all: a reader polling for the file never sees half of it. */
function writeJsonAtomically(file: string, value: unknown): void {
  writeFileAtomically(file, (fd) => writeAll(fd, JSON.stringify(value, null, 2) + '\n'));
}

/** The files --out gets for a run of `points` points: result.json, or point-NNN.json each and results.json. */
export function outFileNames(points: number): string[] {
  if (points === 1) return ['result.json'];
  return [...Array.from({ length: points }, (_, i) => `point-${String(i).padStart(3, '0')}.json`), 'results.json'];
}

export function writeOutDir(dir: string, results: RunResult[]): string[] {
  mkdirSync(dir, { recursive: true });
  const names = outFileNames(results.length);
  const files = names.map((n) => join(dir, n));
  if (results.length === 1) writeJsonAtomically(files[0]!, results[0]);
  else {
    results.forEach((r, i) => writeJsonAtomically(files[i]!, r));
    writeJsonAtomically(files[results.length]!, results);
  }
  return files;
}

/** What an earlier run into the same folder may have left: vioemu's own result file names only. */
const RESULT_FILE = /^(?:point-\d{3,}\.json|results?\.json)$/;

/** One run's result as `vioemu run` writes it (not a reproduction's results.json, a bench file, or anyone else's). */
function isRunResult(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.scenario === 'string' && typeof r.model === 'string' && typeof r.point === 'string' && typeof r.events === 'number' && typeof r.interrupted === 'boolean';
}

/** Whether `file` holds what a vioemu run wrote there: a result, or (results.json) an array of them. */
function holdsRunResults(file: string, name: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  if (name === 'results.json') return Array.isArray(v) && v.length > 0 && v.every(isRunResult);
  return isRunResult(v);
}

/**
 * Removes the result files of an earlier run into `dir` that this run did not
 * write (a sweep of 10 points after one of 24 would leave point-010…023
 * beside the new results.json, read as if they were part of it). Returns the
 * names removed; files of any other name, and files of those names that do not
 * hold run results (`vioemu reproduce`'s results.json, a user's own file), are
 * left alone.
 */
export function removeStaleResults(dir: string, written: string[]): string[] {
  const keep = new Set(written.map((f) => basename(f)));
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || !RESULT_FILE.test(name) || keep.has(name) || !holdsRunResults(join(dir, name), name)) continue;
    unlinkSync(join(dir, name));
    removed.push(name);
  }
  return removed.sort();
}

const SKIP = new Set(['threads']);

/**
 * The headline. The real-time factor leaves out start-up (threads, code) and, after a resume, the virtual time
 * before the checkpoint: shown bare beside "virtual s in wall s" it read as a wrong quotient of the two
 * ("0.600 virtual s in 0.06 wall s (x42.12)"), so it is named with what it leaves out.
 */
function headline(r: RunResult): string {
  const resumedAtNs = r.threads?.resumedAtNs;
  const resumed = resumedAtNs !== undefined ? ` (resumed at ${formatNs(resumedAtNs)})` : '';
  const startup = r.startupWallSeconds > 0 ? `, ${r.startupWallSeconds.toFixed(2)} s of it start-up` : '';
  const factor = [`real-time factor ${r.realTimeFactor.toFixed(2)}`, ...(resumed ? ['from the resume on'] : []), ...(startup ? ['start-up excluded'] : [])].join(', ');
  return `${r.scenario}${r.point ? ` [${r.point}]` : ''}: ${r.virtualSeconds.toFixed(3)} virtual s${resumed} in ${r.wallSeconds.toFixed(2)} wall s${startup} (${factor}), ${r.events} events${r.interrupted ? ' — INTERRUPTED' : ''}`;
}

export function humanSummary(r: RunResult): string {
  const lines = [headline(r)];
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const [k, v] of Object.entries(r)) {
    if (SKIP.has(k) || ['scenario', 'point', 'virtualSeconds', 'wallSeconds', 'realTimeFactor', 'startupWallSeconds', 'events', 'interrupted', 'error'].includes(k)) continue;
    const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : JSON.stringify(v);
    lines.push(`  ${k}: ${s.length > 200 ? s.slice(0, 197) + '...' : s}`);
  }
  return lines.join('\n');
}
