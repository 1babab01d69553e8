// Checkpoints on disk: `ckpt-<virtual ns>.vck` files in one folder, each
// written to a temporary file, fsynced and renamed into place (a crash while
// writing leaves the previous checkpoints whole); the newest two are kept.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { HostSection } from '../kernel/hostState.ts';
import type { OpenMetricsState } from '../metrics/openmetrics.ts';
import type { ScenarioPoint } from '../scenario/load.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { validateScenario } from '../scenario/load.ts';
import { NONE_WRITTEN } from '../scenario/model.ts';
import { MODELS } from '../scenario/registry.ts';
import { resolvedRaw } from '../scenario/resolved.ts';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from './format.ts';
import { VIOEMU_VERSION } from './version.ts';
import { writeAll, writeFileAtomically } from '../run/atomicFile.ts';

/** How the interrupted run was asked for; `vioemu resume` does the same unless told otherwise. */
export interface SavedRunOptions {
  scenarioFile: string;
  checkpointEveryNs: number;
  perVcpuMetrics: boolean;
  partitionBy: string;
  out?: string;
  json?: boolean;
  openmetrics?: { file: string; intervalNs: number; epochS: number };
}

export interface CheckpointMeta {
  vioemuVersion: string;
  point: ScenarioPoint;
  hostCount: number;
  /** Virtual time of the checkpoint: every event before it is done, none after. */
  instantNs: number;
  /** Kernel events processed over the whole run by then. */
  eventsBase: number;
  options: SavedRunOptions;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  hosts: HostSection[];
  openmetrics: OpenMetricsState | null;
}

export const KEEP_CHECKPOINTS = 2;
const NAME = /^ckpt-(\d{20})\.vck$/;

export function checkpointFileName(instantNs: number): string {
  return `ckpt-${String(instantNs).padStart(20, '0')}.vck`;
}

export function encode(c: Checkpoint): Buffer {
  return encodeCheckpoint([
    ['meta', c.meta],
    ...(c.openmetrics ? ([['openmetrics', c.openmetrics]] as [string, unknown][]) : []),
    ...c.hosts.map((h): [string, unknown] => [`host:${h.hostIndex}`, h]),
  ]);
}

/** Decode and check a checkpoint file's contents; CheckpointError names the failing section. */
export function decode(file: Buffer): Checkpoint {
  const sections = decodeCheckpoint(file);
  const meta = sections.get('meta') as CheckpointMeta | undefined;
  if (!meta || typeof meta !== 'object') throw new CheckpointError('meta', 'missing');
  if (meta.vioemuVersion !== VIOEMU_VERSION) {
    throw new CheckpointError('meta', `written by vioemu ${String(meta.vioemuVersion)}, this is ${VIOEMU_VERSION}: the model's state would not fit`);
  }
  const sc = meta.point?.scenario;
  if (!sc || typeof sc !== 'object' || !MODELS[sc.model]) throw new CheckpointError('meta', 'no scenario of a known model');
  // Checked as a scenario file would be: a checkpoint whose checksums hold can still carry a scenario no file could give.
  try {
    // The run was checked when it started; a setting it could not use, inherited from an include, is not refused now.
    validateScenario(resolvedRaw(meta.point) as never, 'the checkpoint', NONE_WRITTEN);
  } catch (e) {
    if (e instanceof ScenarioError) throw new CheckpointError('meta', `its scenario is not valid: ${e.fieldPath ? `${e.fieldPath}: ` : ''}${e.problem}`);
    throw e;
  }
  if (!Number.isSafeInteger(meta.instantNs) || meta.instantNs <= 0 || meta.instantNs >= sc.durationNs) {
    throw new CheckpointError('meta', `instant ${String(meta.instantNs)} ns is not inside the run (0 .. ${sc.durationNs} ns)`);
  }
  if (!Number.isSafeInteger(meta.eventsBase) || meta.eventsBase < 0) throw new CheckpointError('meta', 'bad event count');
  checkOptions(meta.options);
  const hostCount = MODELS[sc.model]!.hostCount(sc);
  if (hostCount !== meta.hostCount) throw new CheckpointError('meta', `the scenario builds ${hostCount} hosts, the checkpoint has ${meta.hostCount}`);
  const hosts: HostSection[] = [];
  for (let h = 0; h < hostCount; h++) {
    const s = sections.get(`host:${h}`) as HostSection | undefined;
    if (!s) throw new CheckpointError(`host:${h}`, 'missing');
    if (s.hostIndex !== h || !Array.isArray(s.bodies) || !Array.isArray(s.seqs) || !Array.isArray(s.metrics)) {
      throw new CheckpointError(`host:${h}`, 'malformed');
    }
    hosts.push(s);
  }
  const om = (sections.get('openmetrics') as OpenMetricsState | undefined) ?? null;
  if (meta.options?.openmetrics && !om) throw new CheckpointError('openmetrics', 'missing (the run exported OpenMetrics)');
  return { meta, hosts, openmetrics: om };
}

/** The run's options as `vioemu resume` reads them: a checkpoint whose checksums hold may still lack them. */
function checkOptions(o: SavedRunOptions | undefined): void {
  const bad = (field: string) => new CheckpointError('meta', `bad run options: ${field}`);
  if (!o || typeof o !== 'object') throw bad('missing');
  if (typeof o.scenarioFile !== 'string') throw bad('scenarioFile');
  if (!Number.isSafeInteger(o.checkpointEveryNs) || o.checkpointEveryNs <= 0) throw bad('checkpointEveryNs');
  if (typeof o.perVcpuMetrics !== 'boolean') throw bad('perVcpuMetrics');
  if (o.partitionBy !== 'auto' && o.partitionBy !== 'hosts') throw bad('partitionBy');
  if (o.out !== undefined && (typeof o.out !== 'string' || o.out === '')) throw bad('out');
  if (o.json !== undefined && typeof o.json !== 'boolean') throw bad('json');
  const om = o.openmetrics;
  if (om !== undefined) {
    if (!om || typeof om !== 'object' || typeof om.file !== 'string' || om.file === '') throw bad('openmetrics.file');
    if (!Number.isSafeInteger(om.intervalNs) || om.intervalNs <= 0 || om.intervalNs % 1e6 !== 0) throw bad('openmetrics.intervalNs');
    if (!Number.isFinite(om.epochS) || om.epochS < 0) throw bad('openmetrics.epochS');
  }
}

/** Checkpoint files in `dir`, newest first. */
export function listCheckpoints(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => NAME.test(n)).sort().reverse().map((n) => join(dir, n));
}

/** Read `path` (a checkpoint file, or a folder: its newest checkpoint). */
export function readCheckpoint(path: string): { file: string; checkpoint: Checkpoint } {
  let file = path;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    // A mistyped path is the usual case: say what is missing and what to give, not a bare errno.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CheckpointError('file', `${path}: no such file or folder (give the run's --checkpoint folder, or one ckpt-*.vck file in it)`);
    throw new CheckpointError('file', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (isDir) {
    const all = listCheckpoints(path);
    if (all.length === 0) throw new CheckpointError('file', `no checkpoint (ckpt-*.vck) in ${path}`);
    file = all[0]!;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new CheckpointError('file', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return { file, checkpoint: decode(buf) };
  } catch (e) {
    if (e instanceof CheckpointError && isDir) {
      // A damaged file leaves the one before it; what the metadata says (version, scenario) holds for every
      // checkpoint of the run, so pointing at the one before it would only fail the same way.
      const older = e.section === 'meta' ? undefined : listCheckpoints(path)[1];
      throw new CheckpointError(e.section, `${e.message.slice(e.section.length + 2)} (in ${basename(file)}${older ? `; the one before it: vioemu resume ${older}` : ''})`);
    }
    throw e;
  }
}

/** Write atomically (temporary file, fsync, rename, fsync of the folder), then keep the newest KEEP_CHECKPOINTS. */
export function writeCheckpoint(dir: string, c: Checkpoint): string {
  const final = join(dir, checkpointFileName(c.meta.instantNs));
  const tmp = join(dir, `.${basename(final)}.${process.pid}.tmp`);
  // Data on disk before the rename; a failed write leaves no partial temporary file (each would hold
  // space the next checkpoint needs, one per failed checkpoint of a long run).
  writeFileAtomically(final, (fd) => writeAll(fd, encode(c)), { tmpFile: tmp, fsync: true });
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
  for (const old of listCheckpoints(dir).slice(KEEP_CHECKPOINTS)) {
    try {
      unlinkSync(old);
    } catch {
      // Already gone (another resume of the same folder): nothing to keep.
    }
  }
  removeOrphanTemporaries(dir);
  return final;
}

const TEMPORARY = /^\.ckpt-\d{20}\.vck\.(\d+)\.tmp$/;

/**
 * A run killed while it wrote a checkpoint leaves its temporary file (up to a whole checkpoint) behind, named
 * with its process id; nothing else would ever remove it, so each kill at the wrong moment of a long soak would
 * leave one. Files of a process that is still alive (another run writing into the same folder) stay.
 */
function removeOrphanTemporaries(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    // A folder shared across machines or containers shows another PID space: a writer there looks dead here, but
    // its file is fresh (a checkpoint is written in seconds). Only an old temporary is an orphan for sure.
    if (!olderThan(join(dir, name), ORPHAN_AGE_MS)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
}

/** How old a dead writer's temporary file must be before it is removed. */
const ORPHAN_AGE_MS = 10 * 60_000;

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
