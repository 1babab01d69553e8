// calibrate and sensitivity run the paper's scenarios, which live in the
// repository: started from any other folder (`npx vioemu` in a subfolder, a
// script elsewhere) they must find them, as `vioemu reproduce` does, rather
// than stop with "scenario error: scenarios/paper/…: file not found".
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

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

  // Their default --out is a file of the repository (the calibration its paper scenarios include, the doc the
  // README links): started in a subfolder, they wrote scenarios/calibration.yaml and docs/sensitivity.md there,
  // where nothing reads them. Run on a copy of the repository, so the real one is not written.
  it('with no --out, they write into the repository, not into the current folder', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'vioemu-default-out-'));
    try {
      for (const d of ['bin', 'scripts', 'src', 'actors', 'scenarios', 'docs']) cpSync(join(REPO, d), join(copy, d), { recursive: true });
      for (const f of ['package.json', 'tsconfig.json']) cpSync(join(REPO, f), join(copy, f));
      symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
      rmSync(join(copy, 'docs', 'sensitivity.md'));
      const sub = join(copy, 'sub');
      mkdirSync(sub);
      const bin = join(copy, 'bin', 'vioemu.js');
      const s = await runCli(['sensitivity', '--duration', '3ms', '--seeds', '1', '--workers', '1'], { cwd: sub, bin });
      expect(s.code, s.stderr).toBe(0);
      expect(existsSync(join(copy, 'docs', 'sensitivity.md')), s.stdout).toBe(true);
      expect(existsSync(join(sub, 'docs'))).toBe(false);
      const c = await runCli(['calibrate', '--workers', '1'], {
        cwd: sub,
        bin,
        onSpawn: (kill, stderr) => {
          const poll = () => (/txCyclesPerPacket=\d+ →|error/.test(stderr()) ? kill('SIGINT') : setTimeout(poll, 50));
          poll();
        },
      });
      expect(c.code, c.stderr).toBe(130);
      expect(existsSync(join(copy, 'scenarios', 'calibration-curve.partial.json')), c.stderr).toBe(true);
      expect(existsSync(join(sub, 'scenarios'))).toBe(false);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
