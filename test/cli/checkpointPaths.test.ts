// `vioemu resume` writes the interrupted run's outputs where that run would have, also when it is started
// from another folder (a new shell, after a reboot): relative --out and --openmetrics name the files as
// seen from the folder the run was started in, not from wherever resume is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-ckpaths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 110_000 });
}

/**
 * A run in `project` with relative --out res, --openmetrics om.txt and --checkpoint ck; it ends and its
 * outputs are removed, so only a resume can write them again (its newest checkpoint, 300 ms, is kept).
 */
function checkpointedRunWithoutOutputs(project: string): void {
  mkdirSync(project);
  const scenario = join(REPO, 'scenarios/soak/net-soak.yaml');
  const a = cli(project, ['run', scenario, '--duration', '400ms', '--set', 'warmup=100ms', '--checkpoint', 'ck', '--checkpoint-every', '100ms', '--out', 'res', '--openmetrics', 'om.txt', '--openmetrics-interval', '100ms']);
  expect(a.status, a.stderr).toBe(0);
  rmSync(join(project, 'res'), { recursive: true });
  rmSync(join(project, 'om.txt'));
}

describe('resume from another folder', () => {
  it('writes the result and the OpenMetrics file where the interrupted run would have', () => {
    const first = join(tmp, 'first');
    const other = join(tmp, 'other');
    checkpointedRunWithoutOutputs(first);
    mkdirSync(other);
    const b = cli(other, ['resume', join(first, 'ck')]);
    expect(b.status, b.stderr).toBe(0);
    expect(existsSync(join(first, 'res', 'result.json'))).toBe(true);
    expect(existsSync(join(first, 'om.txt'))).toBe(true);
    expect(existsSync(join(other, 'res'))).toBe(false);
    expect(existsSync(join(other, 'om.txt'))).toBe(false);
  });

  it('writes them beside the checkpoints when the folder was moved (or copied to another machine), not at the old place', () => {
    const before = join(tmp, 'proj');
    const moved = join(tmp, 'moved');
    const other = join(tmp, 'other2');
    checkpointedRunWithoutOutputs(before);
    mkdirSync(other);
    renameSync(before, moved);
    const b = cli(other, ['resume', join(moved, 'ck')]);
    expect(b.status, b.stderr).toBe(0);
    expect(existsSync(join(moved, 'res', 'result.json'))).toBe(true);
    expect(existsSync(join(moved, 'om.txt'))).toBe(true);
    expect(existsSync(before)).toBe(false);
  });
});
