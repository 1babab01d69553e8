// The checkpoint folder after a write that fails (disk full, a rename refused): the earlier checkpoints
// stay and no partial temporary file is left behind (each would hold space the next checkpoint needs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFileName, readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/checkpoint/store.ts';

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

  it("removes the temporary file a killed run left behind, not one of a run still writing", () => {
    const dir = join(tmp, 'orphans');
    mkdirSync(dir);
    // A process that has exited: its id names the orphan.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const orphan = `.${checkpointFileName(1_000_000)}.${dead}.tmp`;
    // The parent of this test process is alive: its file stays.
    const live = `.${checkpointFileName(1_500_000)}.${process.ppid}.tmp`;
    writeFileSync(join(dir, orphan), 'partial');
    writeFileSync(join(dir, live), 'partial');
    // A dead writer's file written a moment ago may be a live writer's in another PID space (a shared folder): kept.
    const fresh = `.${checkpointFileName(1_200_000)}.${dead}.tmp`;
    writeFileSync(join(dir, fresh), 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of [orphan, live]) utimesSync(join(dir, f), hourAgo, hourAgo);
    writeFileSync(join(dir, 'notes.txt'), 'the user’s');
    writeCheckpoint(dir, at(2_000_000));
    expect(readdirSync(dir).sort()).toEqual([live, fresh, checkpointFileName(2_000_000), 'notes.txt'].sort());
  });
});

describe('readCheckpoint', () => {
  it('a path that does not exist is named as missing, with what to give (it said "cannot read …: ENOENT")', () => {
    const missing = join(tmp, 'no-such-run');
    expect(() => readCheckpoint(missing)).toThrow(`file: ${missing}: no such file or folder (give the run's --checkpoint folder, or one ckpt-*.vck file in it)`);
  });
});
