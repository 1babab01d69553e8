// What travels through Redis between `vioemu sweep --queue` and `vioemu
// worker`: key names, the job's data (one fully resolved sweep point) and its
// return value (that point's result), both msgpack-encoded so numbers such as
// Infinity and fields that are undefined arrive exactly as they left.
//
// Layout (all keys under the prefix "vioemu"):
//   vioemu:runs            sorted set: queue names of live runs, by start time
//   vioemu:alive:<queue>   exists while the sweep that owns <queue> is alive (TTL, refreshed)
//   vioemu:stop:<queue>    set by the sweep on Ctrl-C: stop the points at the next window
//   vioemu:<queue>:…       BullMQ's own keys for the run's queue
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Packr } from 'msgpackr';
import { repoPath } from '../repoPath.ts';
import type { RunResult } from '../run/result.ts';
import type { ScenarioPoint } from '../scenario/load.ts';

export const PREFIX = 'vioemu';
export const REGISTRY_KEY = `${PREFIX}:runs`;
export const aliveKey = (queue: string) => `${PREFIX}:alive:${queue}`;
export const stopKey = (queue: string) => `${PREFIX}:stop:${queue}`;

/** A sweep refreshes its alive key this often; workers forget (and clean up) a run whose key expired. */
export const HEARTBEAT_MS = 5_000;
export const ALIVE_TTL_S = 60;

/** Bumped when the job or return-value shape changes: a worker refuses jobs of another format. */
export const FORMAT = 1;

/** What a worker needs to tell whether it runs the same code as the sweep. */
export interface CodeId {
  /** sha256 of src/**\/*.ts and package-lock.json. */
  source: string;
  node: string;
}

/** The data of one job: one sweep point, resolved (includes, --set, sweep value, defaults) by the sweep. */
export interface PointJob {
  format: number;
  queue: string;
  index: number;
  count: number;
  label: string;
  scenario: string;
  model: string;
  /** base64 msgpack of the ScenarioPoint: exactly what loadScenario produced. */
  point: string;
  code: CodeId;
}

/** A job's return value. */
export interface PointReturn {
  format: number;
  /** base64 msgpack of the RunResult. */
  result: string;
  worker: string;
  code: CodeId;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encode(value: unknown): string {
  return Buffer.from(packr.pack(value)).toString('base64');
}

export function decode<T>(text: string): T {
  return packr.unpack(Buffer.from(text, 'base64')) as T;
}

/** Same plain data (key order included); 0 and -0 count as equal, NaN as NaN. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Encode a point and make sure it decodes to the same data (so the worker runs exactly this point). */
export function encodePoint(point: ScenarioPoint): string {
  const text = encode(point);
  if (!sameData(decode(text), point)) throw new Error(`sweep point ${JSON.stringify(point.label)} does not survive msgpack encoding; it cannot travel through the queue`);
  return text;
}

export const decodePoint = (text: string) => decode<ScenarioPoint>(text);
export const encodeResult = (r: RunResult) => encode(r);
export const decodeResult = (text: string) => decode<RunResult>(text);

let cachedCode: CodeId | undefined;

/** Identity of the code this process runs: results are only guaranteed identical between equal ids. */
export function codeId(): CodeId {
  if (cachedCode) return cachedCode;
  const h = createHash('sha256');
  // The model is src/ and the component machines in actors/.
  for (const dir of ['src', 'actors']) {
    const files = (readdirSync(repoPath(dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) h.update(`${dir}/${f}\0`).update(readFileSync(repoPath(dir, f))).update('\0');
  }
  try {
    h.update(readFileSync(repoPath('package-lock.json')));
  } catch {
    // an installed copy without a lock file: the sources alone
  }
  cachedCode = { source: h.digest('hex').slice(0, 16), node: process.version };
  return cachedCode;
}

export function sameCode(a: CodeId, b: CodeId): boolean {
  return a.source === b.source && a.node === b.node;
}

export const workerName = () => `${hostname()}:${process.pid}`;

/** A queue name for a new run: unique per invocation, sortable by start time. */
export function newQueueName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${randomBytes(4).toString('hex')}`;
}
