// `npm run profile` as it runs: dist/ built first, then the bundle profiled.
// Run on a copy of the repository (its own dist/), so the real dist/ is not
// rebuilt under the feet of other tests.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.ts';

const copies: string[] = [];

/** A copy of what `npm run profile` needs, in a new folder whose name starts with `prefix`, with dist/ built. */
function builtCopy(prefix: string): string {
  const copy = mkdtempSync(join(tmpdir(), prefix));
  copies.push(copy);
  for (const d of ['bin', 'scripts', 'src', 'actors', 'test/bench', 'scenarios']) {
    mkdirSync(join(copy, d, '..'), { recursive: true });
    cpSync(join(REPO, d), join(copy, d), { recursive: true });
  }
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(REPO, f), join(copy, f));
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  const b = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: copy, encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  return copy;
}

/** What `npm run profile -- <args>` runs, in `copy`. */
const profile = (copy: string, args: string[]) =>
  spawnSync(process.execPath, ['--enable-source-maps', '--import', 'tsx', 'test/bench/profile.ts', ...args], { cwd: copy, encoding: 'utf8', timeout: 60_000 });

afterAll(() => {
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});

describe('npm run profile on the dist/ bundle', () => {
  it("counts XState's interpreter (its bundled files sit under node_modules/xstate/dist/, not our dist/)", () => {
    const copy = builtCopy('vioemu-prof-bundle-');
    const out = join(copy, 'ring.cpuprofile');
    // The ring demo is XState token actors: its interpreter is most of the CPU.
    const r = profile(copy, ['scenarios/kernel/ring.yaml', '--duration', '30ms', '--top', '5', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const share = Number(/^XState interpreter ([\d.]+)% of simulation CPU/m.exec(r.stdout)?.[1]);
    expect(share, r.stdout).toBeGreaterThan(20);
    expect(r.stdout).toMatch(/ node_modules\/xstate\/\S+:\d+$/m);
  });

  it('runs from a folder whose name has a space (it printed nothing and wrote no profile, exit 0)', () => {
    const copy = builtCopy('vioemu prof space-');
    const out = join(copy, 'ring.cpuprofile');
    const r = profile(copy, ['scenarios/kernel/ring.yaml', '--duration', '10ms', '--top', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scenarios\/kernel\/ring\.yaml: 0\.010 virtual s/);
    expect(existsSync(out)).toBe(true);
  });
});
