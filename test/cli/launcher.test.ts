// bin/vioemu.js runs the precompiled dist/ only while it matches the sources,
// else the TypeScript through tsx — never a stale bundle. Tested on a copy of
// the repository (no dist/ yet, as on a clean clone), so the real dist/ is not
// rebuilt under the feet of other tests.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, stripWall } from '../helpers/cli.ts';

let copy = '';
const MARK = 'ran-from-dist';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(copy, 'bin/vioemu.js'), ...args], { cwd: copy, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, fromDist: r.stderr.includes(MARK) };
}

function build() {
  const r = spawnSync(process.execPath, [join(copy, 'scripts/build.mjs'), '--quiet'], { cwd: copy, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  // Mark the bundle (dist/ is not part of the fingerprint): a run through it says so on stderr.
  appendFileSync(join(copy, 'dist/cli.js'), `\nprocess.stderr.write(${JSON.stringify(MARK + '\n')});\n`);
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'vioemu-launcher-'));
  for (const d of ['bin', 'scripts', 'src', 'actors', 'test/bench', 'scenarios']) {
    mkdirSync(join(copy, d, '..'), { recursive: true });
    cpSync(join(REPO, d), join(copy, d), { recursive: true });
  }
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(REPO, f), join(copy, f));
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('bin/vioemu.js: dist/ when current, the sources otherwise', () => {
  const RUN = ['run', 'scenarios/kernel/ring.yaml', '--json', '--duration', '20ms'];

  it('no dist/: the sources through tsx; after a build: dist/, with the same result; VIOEMU_FROM_SOURCE=1 forces the sources', () => {
    const before = cli(RUN);
    expect(before.code, before.stderr).toBe(0);
    expect(before.fromDist).toBe(false);
    build();
    expect(JSON.parse(readFileSync(join(copy, 'dist/stamp.json'), 'utf8')).fingerprint).toMatch(/^[0-9a-f]{40}$/);
    const after = cli(RUN);
    expect(after.code, after.stderr).toBe(0);
    expect(after.fromDist).toBe(true);
    expect(after.stderr.replace(MARK + '\n', '')).toBe('');
    expect(stripWall(JSON.parse(after.stdout))).toEqual(stripWall(JSON.parse(before.stdout)));
    expect(cli(RUN, { VIOEMU_FROM_SOURCE: '1' }).fromDist).toBe(false);
  });

  it('an edited, added or deleted source makes dist/ stale until the next build', () => {
    const args = ['validate', 'scenarios/kernel/ring.yaml'];
    build();
    expect(cli(args).fromDist).toBe(true);
    // Edited: a new modification time is enough (content unchanged).
    const f = join(copy, 'src/net/model.ts');
    const later = new Date(Date.now() + 5000);
    utimesSync(f, later, later);
    expect(cli(args).fromDist).toBe(false);
    build();
    expect(cli(args).fromDist).toBe(true);
    // Added.
    writeFileSync(join(copy, 'actors/extra.ts'), 'export const x = 1;\n');
    expect(cli(args).fromDist).toBe(false);
    build();
    expect(cli(args).fromDist).toBe(true);
    // Deleted.
    rmSync(join(copy, 'actors/extra.ts'));
    const v = cli(args);
    expect(v.fromDist).toBe(false);
    expect(v.code, v.stderr).toBe(0);
    // A pipe is not told why (scripts see the same output either way).
    expect(v.stderr).toBe('');
  });

  it('the bundle keeps each module’s own import.meta.url (files found next to the sources)', () => {
    build();
    const chunks = readdirSync(join(copy, 'dist')).filter((f) => f.endsWith('.js'));
    const text = chunks.map((f) => readFileSync(join(copy, 'dist', f), 'utf8')).join('\n');
    expect(text).toContain('new URL("../src/repoPath.ts", import.meta.url)'); // scenarios/, docs/ found from it
    expect(text).toContain('new URL("../src/run/execute.ts", import.meta.url)');
    expect(text).not.toContain(copy); // relative to the bundle: the repository may move
  });
});
