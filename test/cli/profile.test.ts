// `npm run profile`: a CPU profile of the simulation as `vioemu run` runs it (dist/'s bundle), its
// hottest functions named by TypeScript file and line; flag mistakes are one line and exit 2.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.ts';

const profile = (args: string[]) =>
  spawnSync(process.execPath, ['--enable-source-maps', '--import', 'tsx', 'test/bench/profile.ts', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

describe('npm run profile', () => {
  it('profiles a run and names the hot functions by source line; a duration within the warm-up shortens the warm-up', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-prof-')), 'p.cpuprofile');
    const r = profile(['scenarios/paper/fig3-domu.yaml', '--duration', '600ms', '--top', '10', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--duration 600ms is not longer than the scenario's warm-up; warming up for 200\.000ms/);
    expect(existsSync(out)).toBe(true);
    const places = [...r.stdout.matchAll(/ src\/\S+\.ts:(\d+)$/gm)].map((m) => Number(m[1]));
    expect(places.length).toBeGreaterThan(3);
    // Real lines (the TypeScript through tsx used to put every function of a file on line 1).
    expect(places.filter((line) => line > 1).length).toBe(places.length);
  });

  it('--alloc adds where the run allocates, garbage included, by source line', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-prof-')), 'p.cpuprofile');
    const r = profile(['scenarios/paper/fig3-domu.yaml', '--duration', '600ms', '--top', '5', '--out', out, '--alloc']);
    expect(r.status, r.stderr).toBe(0);
    const [, mib] = /^allocated (\d+) MiB \(\d+ MiB per wall s, sampled\), by function:$/m.exec(r.stdout) ?? [];
    // Far more than the heap ever holds (~20 MB): short-lived objects are counted.
    expect(Number(mib)).toBeGreaterThan(20);
    const lines = r.stdout.slice(r.stdout.indexOf('by function:')).split('\n').filter((l) => / MiB  /.test(l));
    expect(lines).toHaveLength(5);
    expect(lines.some((l) => / src\/\S+\.ts:\d+$/.test(l))).toBe(true);
  });

  it.each([
    [['scenarios/paper/fig3-domu.yaml', '--duration'], /^profile: --duration wants a value$/],
    [['scenarios/paper/fig3-domu.yaml', '--top', 'abc'], /^profile: --top: want an integer >= 1/],
    [['scenarios/paper/fig3-domu.yaml', '--set'], /^profile: --set wants a value$/],
    [['scenarios/paper/fig3-domu.yaml', '--bogus'], /^profile: unknown flag --bogus$/],
    [['scenarios/paper/fig3-domu.yaml', '--out', '/dev/null/x.cpuprofile'], /^profile: --out: \/dev\/null is a file, not a folder$/],
  ])('%j: one line, exit 2', (args, message) => {
    const r = profile(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
