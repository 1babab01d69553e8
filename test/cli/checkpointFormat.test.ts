// The checkpoint container on its own: a file of another format, bytes after
// the last section and a section cut short by a single byte are refused,
// naming what is wrong, before anything is decoded.
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, CHECKPOINT_MAGIC, decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint/format.ts';

const file = () => encodeCheckpoint([['meta', { a: 1, inf: -Infinity }], ['host:0', { bodies: [1, 2, 3] }]]);

describe('checkpoint container', () => {
  it('round-trips its sections, ±Infinity included', () => {
    const m = decodeCheckpoint(file());
    expect([...m.keys()]).toEqual(['meta', 'host:0']);
    expect(m.get('meta')).toEqual({ a: 1, inf: -Infinity });
  });

  it('refuses another format number, saying which it reads', () => {
    const text = file().toString('latin1');
    const other = Buffer.from(text.replace(`{"format":${CHECKPOINT_FORMAT},`, `{"format":${CHECKPOINT_FORMAT + 1},`), 'latin1');
    expect(other.length).toBe(file().length);
    expect(() => decodeCheckpoint(other)).toThrow(`header: format ${CHECKPOINT_FORMAT + 1}, this vioemu reads format ${CHECKPOINT_FORMAT}`);
  });

  it('refuses bytes after the last section', () => {
    expect(() => decodeCheckpoint(Buffer.concat([file(), Buffer.from([0])]))).toThrow('trailer: 1 bytes after the last section (corrupt)');
  });

  it('a file one byte short: its last section is truncated, not merely corrupt', () => {
    const f = file();
    expect(() => decodeCheckpoint(f.subarray(0, f.length - 1))).toThrow(/^host:0: truncated: \d+ of \d+ bytes present$/);
    expect(() => decodeCheckpoint(f.subarray(0, CHECKPOINT_MAGIC.length - 1))).toThrow(/header: not a vioemu checkpoint/);
  });
});
