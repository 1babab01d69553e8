// Where a flag will write, checked before anything runs: missing folders are
// created, a file where a folder is needed (or the reverse) is refused, and
// the folder is proven writable by creating and removing a probe file (which
// also catches read-only mounts and works for root, where permission bits lie).
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './usage.ts';

/** 'dir': the flag names a folder (--out, --checkpoint); 'file': a file to (over)write (--trace, --openmetrics). */
export type OutputKind = 'dir' | 'file';

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENAMETOOLONG':
      return 'name too long';
    default:
      return code ?? (e as Error).message;
  }
}

/** The nearest existing ancestor of `p` (p itself if it exists). */
function existingAncestor(p: string): string {
  let cur = p;
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return cur;
}

/** Make sure `dir` exists as a folder and files can be created in it; throws UsageError naming `flag`. */
function ensureWritableDir(flag: string, shown: string, dir: string): void {
  const st = statOrNull(dir);
  if (st && !st.isDirectory()) throw new UsageError(`${flag}: ${dir} is a file, not a folder`);
  if (!st) {
    const anc = existingAncestor(dir);
    if (!statOrNull(anc)?.isDirectory()) throw new UsageError(`${flag}: cannot create ${shown}: ${anc} is a file, not a folder`);
    // One level at a time: Node's recursive mkdir never returns on some pseudo file systems (/proc).
    const missing: string[] = [];
    for (let p = dir; p !== anc; p = dirname(p)) missing.unshift(p);
    for (const p of missing) {
      try {
        mkdirSync(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`${flag}: cannot create folder ${p}: ${reason(e)}`);
      }
    }
  }
  const probe = join(dir, `.vioemu-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write in ${dir}: ${reason(e)}`);
  }
}

/**
 * Check (and prepare) the path a flag writes to, before the run: exit 2 then
 * costs nothing, while a failed write after a long run would cost the result.
 * Returns the absolute path.
 */
export function checkOutputPath(flag: string, path: string, kind: OutputKind, files: readonly string[] = []): string {
  if (path.trim() === '') throw new UsageError(`${flag}: empty path`);
  const abs = resolve(path);
  if (kind === 'dir') {
    ensureWritableDir(flag, path, abs);
    // The files the run will write there: a folder (or anything but a file) in the way would cost the result at the end.
    for (const name of files) {
      const st = statOrNull(join(abs, name));
      if (st && !st.isFile()) throw new UsageError(`${flag}: ${join(path, name)} is ${st.isDirectory() ? 'a folder' : 'not a regular file'}; the result could not be written there`);
      if (st) ensureOverwritable(flag, join(path, name), join(abs, name));
    }
    return abs;
  }
  const st = statOrNull(abs);
  if (st?.isDirectory()) throw new UsageError(`${flag}: ${path} is a folder; want a file name`);
  ensureWritableDir(flag, path, dirname(abs));
  if (st) ensureOverwritable(flag, path, abs);
  return abs;
}

function ensureOverwritable(flag: string, shown: string, abs: string): void {
  try {
    closeSync(openSync(abs, 'r+'));
  } catch (e) {
    throw new UsageError(`${flag}: cannot overwrite ${shown}: ${reason(e)}`);
  }
}
