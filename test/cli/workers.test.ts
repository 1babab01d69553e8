// --workers is capped at what can be used: the hosts of one run, the points of
// a sweep, the machine's cores — with a one-line note on stderr.
import { describe, expect, it } from 'vitest';
import { capWorkers } from '../../src/cli/runCommand.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { runCli } from '../helpers/cli.ts';

const RING = 'scenarios/kernel/ring.yaml'; // 4 hosts
const note = () => {
  const said: string[] = [];
  return { said, say: (s: string) => void said.push(s) };
};

describe('capWorkers', () => {
  it('one run: at most its hosts, then the cores', () => {
    const pts = loadScenario(RING);
    const a = note();
    expect(capWorkers(32, pts, 64, a.say)).toBe(4);
    expect(a.said).toEqual(['vioemu: --workers 32 capped to 4 (the scenario has 4 hosts)']);
    const b = note();
    expect(capWorkers(1000, pts, 2, b.say)).toBe(2);
    expect(b.said).toEqual(['vioemu: --workers 1000 capped to 2 (2 cores available)']);
    const c = note();
    expect(capWorkers(2, pts, 8, c.say)).toBe(2);
    expect(c.said).toEqual([]);
  });

  it('a sweep: at most its points, then the cores', () => {
    const pts = loadScenario(RING, { overrides: { sweep: { seed: [1, 2, 3] } } });
    const a = note();
    expect(capWorkers(16, pts, 64, a.say)).toBe(3);
    expect(a.said).toEqual(['vioemu: --workers 16 capped to 3 (the sweep has 3 points)']);
    expect(capWorkers(16, pts, 1)).toBe(1);
  });
});

describe('vioemu run --workers beyond what can be used', () => {
  it.concurrent.each([32, 1000])('--workers %i on a 4-host scenario runs capped, with a note', async (n) => {
    const r = await runCli(['run', RING, '--duration', '5ms', '--json', '--workers', String(n)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^vioemu: --workers ${n} capped to \\d+ \\((the scenario has 4 hosts|\\d+ cores? available)\\)$`, 'm'));
    expect(JSON.parse(r.stdout).threads.partitions).toBeLessThanOrEqual(4);
  });
});

describe('sweep points on fewer threads than points', () => {
  it("a point's wall time starts when a thread takes it, not while it waits behind earlier points", async () => {
    const t0 = Date.now();
    const r = await runCli(['run', 'scenarios/paper/fig12-txqueuelen.yaml', '--set', 'duration=400ms', '--set', 'warmup=100ms', '--workers', '1', '--json']);
    const elapsedS = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(0);
    const points = JSON.parse(r.stdout) as { wallSeconds: number; startupWallSeconds: number }[];
    expect(points).toHaveLength(5);
    // One thread runs them one after another: their wall times add up to at most the command's (they used to
    // count the wait, summing to about three times it).
    expect(points.reduce((a, p) => a + p.wallSeconds, 0)).toBeLessThanOrEqual(elapsedS);
    for (const p of points.slice(1)) expect(p.startupWallSeconds).toBeLessThanOrEqual(p.wallSeconds);
  });
});
