// Output files replaced whole or not at all: results, OpenMetrics exports and
// checkpoints are read by other programs (a dashboard backfill, a resume after a
// crash) that must never find one cut short by a kill or a full disk.
import { closeSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/** Writes all of `data` to `fd` (writeSync may write less than asked). */
export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Writes `file` through a temporary file beside it (`tmpFile`, by default `<file>.<pid>.tmp`) renamed into
 * place; on any error the temporary file is removed and the old `file` is left as it was. `write` gets
 * the open descriptor. With `fsync` the data reach the disk before the rename.
 *
 * A target that exists and is not a regular file — a pipe, a device, or a symbolic link such as the
 * /dev/stdout of a shell that sent stdout to a file — is written in place: a rename would replace the
 * link itself instead of writing where it points.
 */
export function writeFileAtomically(file: string, write: (fd: number) => void, opts: { tmpFile?: string; fsync?: boolean } = {}): void {
  const st = lstatOrNull(file);
  const inPlace = st !== null && !st.isFile();
  const target = inPlace ? file : (opts.tmpFile ?? `${file}.${process.pid}.tmp`);
  try {
    const fd = openSync(target, 'w');
    try {
      write(fd);
      if (opts.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!inPlace) renameSync(target, file);
  } catch (e) {
    if (!inPlace) rmSync(target, { force: true });
    throw e;
  }
}
