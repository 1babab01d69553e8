// The checkpoint file: a magic line, a JSON header line listing the sections
// (name, length, SHA-256), then the sections as msgpack (which keeps
// ±Infinity and NaN, unlike JSON). Every section is verified before anything
// is decoded, so a truncated or corrupted file is refused naming the section.
import { createHash } from 'node:crypto';
import { pack, unpack } from 'msgpackr';

export const CHECKPOINT_MAGIC = 'VIOEMU-CHECKPOINT\n';
/** Bumped whenever what a section holds changes meaning. */
export const CHECKPOINT_FORMAT = 1;

export class CheckpointError extends Error {
  constructor(
    readonly section: string,
    message: string,
  ) {
    super(`${section}: ${message}`);
  }
}

interface Header {
  format: number;
  sections: { name: string; bytes: number; sha256: string }[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Sections in the order given (names unique). */
export function encodeCheckpoint(sections: [string, unknown][]): Buffer {
  const bodies = sections.map(([name, value]) => [name, pack(value)] as const);
  const header: Header = { format: CHECKPOINT_FORMAT, sections: bodies.map(([name, b]) => ({ name, bytes: b.length, sha256: sha256(b) })) };
  return Buffer.concat([Buffer.from(CHECKPOINT_MAGIC), Buffer.from(JSON.stringify(header) + '\n'), ...bodies.map(([, b]) => b)]);
}

/** Verify and decode every section; throws CheckpointError naming the first bad one. */
export function decodeCheckpoint(file: Buffer): Map<string, unknown> {
  const magic = Buffer.from(CHECKPOINT_MAGIC);
  if (file.length < magic.length || !file.subarray(0, magic.length).equals(magic)) {
    throw new CheckpointError('header', 'not a vioemu checkpoint (the file does not start with VIOEMU-CHECKPOINT)');
  }
  const eol = file.indexOf(0x0a, magic.length);
  if (eol < 0) throw new CheckpointError('header', 'truncated before the end of the section table');
  let header: Header;
  try {
    header = JSON.parse(file.subarray(magic.length, eol).toString('utf8')) as Header;
  } catch {
    throw new CheckpointError('header', 'the section table is not valid JSON (corrupt)');
  }
  if (!header || !Array.isArray(header.sections)) throw new CheckpointError('header', 'no section table (corrupt)');
  if (header.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError('header', `format ${String(header.format)}, this vioemu reads format ${CHECKPOINT_FORMAT}`);
  }
  const out = new Map<string, unknown>();
  let at = eol + 1;
  for (const s of header.sections) {
    if (typeof s?.name !== 'string' || !Number.isSafeInteger(s.bytes) || s.bytes < 0 || typeof s.sha256 !== 'string') {
      throw new CheckpointError('header', 'a malformed entry in the section table (corrupt)');
    }
    const end = at + s.bytes;
    if (end > file.length) throw new CheckpointError(s.name, `truncated: ${Math.max(0, file.length - at)} of ${s.bytes} bytes present`);
    const body = file.subarray(at, end);
    if (sha256(body) !== s.sha256) throw new CheckpointError(s.name, 'corrupt: its checksum does not match');
    try {
      out.set(s.name, unpack(body));
    } catch (e) {
      throw new CheckpointError(s.name, `cannot be decoded: ${(e as Error).message}`);
    }
    at = end;
  }
  if (at !== file.length) throw new CheckpointError('trailer', `${file.length - at} bytes after the last section (corrupt)`);
  return out;
}
