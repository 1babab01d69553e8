// The checkpoint folder after a write that fails (disk full, a rename refused): the earlier checkpoints
// stay and no partial temporary file is left behind (each would hold space the next checkpoint needs).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFileName, writeCheckpoint, type Checkpoint } from '../../src/checkpoint/store.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-ckstore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const at = (instantNs: number) => ({ meta: { instantNs } as Checkpoint['meta'], hosts: [], openmetrics: null }) as Checkpoint;

describe('writeCheckpoint', () => {
  it('a failed write leaves no temporary file and keeps the earlier checkpoints', () => {
    const dir = join(tmp, 'ck');
    mkdirSync(dir);
    writeCheckpoint(dir, at(1_000_000));
    // The file's place is taken by a non-empty folder: the rename fails after the data was written.
    const blocked = join(dir, checkpointFileName(2_000_000));
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'x'), 'x');
    expect(() => writeCheckpoint(dir, at(2_000_000))).toThrow();
    expect(() => writeCheckpoint(dir, at(2_000_000))).toThrow();
    expect(readdirSync(dir).sort()).toEqual([checkpointFileName(1_000_000), checkpointFileName(2_000_000)]);
  });
});
