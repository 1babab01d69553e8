// calibrate and sensitivity run the paper's scenarios, which live in the
// repository: started from any other folder (`npx vioemu` in a subfolder, a
// script elsewhere) they must find them, as `vioemu reproduce` does, rather
// than stop with "scenario error: scenarios/paper/…: file not found".
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('reporting commands started outside the repository', () => {
  it('sensitivity finds the paper scenario from another folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-sens-cwd-'));
    const r = await runCli(['sensitivity', '--duration', '3ms', '--seeds', '1', '--workers', '1', '--out', 's.md'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/file not found/);
    // The table still names the scenario as the repository does.
    expect(readFileSync(join(dir, 's.md'), 'utf8')).toMatch(/^Written by `vioemu sensitivity`: scenarios\/paper\/fig3-domu\.yaml, seeds 1/m);
  });

  it('calibrate finds the paper scenarios from another folder (runs start; Ctrl-C keeps what was measured)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-cal-cwd-'));
    const r = await runCli(['calibrate', '--quick', '--workers', '1', '--out', 'cal.yaml'], {
      cwd: dir,
      onSpawn: (kill, stderr) => {
        const poll = () => (/txCyclesPerPacket=\d+ →|error/.test(stderr()) ? kill('SIGINT') : setTimeout(poll, 50));
        poll();
      },
    });
    expect(r.stderr).not.toMatch(/file not found/);
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(join(dir, 'cal-curve.partial.json'))).toBe(true);
  });
});
