// bench/history.jsonl: one line per `npm run bench` (commit, date, machine,
// the machine reference and every figure), and the comparison printed next
// to each figure: this run ÷ the previous entry of the same mode (×), and the
// same after dividing each run's figures by its own machine reference (×ref),
// which compares across machines.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';

/** How a figure moves when the machine is twice as fast: rates double, times halve, sizes stay. */
export type BenchKind = 'rate' | 'time' | 'size';

export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  workers?: number;
  note?: string;
  /** Default 'rate' (higher is better). */
  kind?: BenchKind;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  /** One-minute load average when the bench started (other work on the machine skews figures). */
  load1: number;
}

export interface HistoryEntry {
  commit: string;
  /** The working tree had changes to tracked files. */
  dirty: boolean;
  date: string;
  quick: boolean;
  soak: boolean;
  /** How the CLI ran: precompiled dist/ or the TypeScript through tsx. */
  launch: string;
  machine: Machine;
  /** The machine reference (test/bench/reference.ts), events/s. */
  reference: number;
  entries: BenchEntry[];
}

export function machine(): Machine {
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), node: process.version, load1: Math.round(loadavg()[0]! * 100) / 100 };
}

export function gitCommit(cwd: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // The bench's own outputs (the history it appends to, the JSON it writes) are not changes to the code measured.
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  const out: HistoryEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // a damaged line (e.g. an interrupted write) is skipped, not fatal
    }
  }
  return out;
}

export function appendHistory(file: string, e: HistoryEntry): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(e) + '\n');
}

/** The entry to compare with: the latest of the same mode (quick or full). */
export function previousEntry(history: HistoryEntry[], quick: boolean): HistoryEntry | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.quick === quick) return history[i];
  return undefined;
}

export const entryKey = (e: BenchEntry) => `${e.name}${e.workers ? ` (workers ${e.workers})` : ''}`;

/** A figure with the machine's speed taken out: rates ÷ reference, times × reference, sizes as they are. */
export function normalised(e: BenchEntry, reference: number): number {
  const kind = e.kind ?? 'rate';
  return kind === 'rate' ? e.value / reference : kind === 'time' ? e.value * reference : e.value;
}

export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : a >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

/** Width of the figure column. */
const W = 62;

const ratio = (x: number) => (Number.isFinite(x) && x > 0 ? `×${x >= 10 ? x.toFixed(1) : x.toFixed(2)}` : '');

export const TABLE_HEADER = `${'figure'.padEnd(W)} ${'value'.padStart(9)} ${'unit'.padEnd(19)} ${'previous'.padStart(9)} ${'×'.padStart(6)} ${'×ref'.padStart(6)}`;

/** One table line: the figure, the previous entry's and the two ratios. */
export function formatLine(e: BenchEntry, reference: number, prev?: HistoryEntry): string {
  const p = prev?.entries.find((x) => entryKey(x) === entryKey(e));
  const cols = [entryKey(e).padEnd(W), fmtValue(e.value).padStart(9), e.unit.padEnd(19)];
  if (p && prev) {
    cols.push(fmtValue(p.value).padStart(9), ratio(e.value / p.value).padStart(6), ((e.kind ?? 'rate') === 'size' ? '' : ratio(normalised(e, reference) / normalised(p, prev.reference))).padStart(6));
  } else {
    cols.push(''.padStart(9), ''.padStart(6), ''.padStart(6));
  }
  return cols.join(' ').trimEnd() + (e.note ? `  ${e.note}` : '');
}

/** The lines above the table: this machine, and what the ratios compare with. */
export function formatPreamble(now: Omit<HistoryEntry, 'entries' | 'reference'>, prev?: HistoryEntry): string[] {
  const m = now.machine;
  const lines = [
    `vioemu bench${now.quick ? ' --quick' : ''}: ${now.commit}${now.dirty ? ' (uncommitted changes)' : ''}, ${m.cpu}, ${m.cores} core${m.cores === 1 ? '' : 's'}, node ${m.node}, load ${m.load1}, CLI from ${now.launch}`,
  ];
  if (prev) {
    const same = prev.machine.cpu === m.cpu && prev.machine.cores === m.cores && prev.machine.node === m.node;
    lines.push(
      `previous: ${prev.date.slice(0, 16).replace('T', ' ')} ${prev.commit}${prev.dirty ? ' (uncommitted changes)' : ''}, ${same ? 'same machine' : `${prev.machine.cpu}, ${prev.machine.cores} cores, node ${prev.machine.node}`}, load ${prev.machine.load1}`,
      `× = this run ÷ previous; ×ref = the same with each run's figures divided by its machine reference (rates ÷ ref, times × ref)${same ? '' : ' — compare ×ref across machines'}; times and sizes: lower is better`,
    );
  } else {
    lines.push('no previous entry of this mode in the history: nothing to compare with yet');
  }
  return lines;
}
