import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-load-'));

describe('loadScenario', () => {
  it('fills defaults and parses durations to ns', () => {
    const f = join(dir, 'a.yaml');
    writeFileSync(f, 'model: ring\nduration: 2s\n');
    const [p] = loadScenario(f);
    expect(p!.scenario.durationNs).toBe(2_000_000_000);
    expect(p!.scenario.seed).toBe(1);
    expect((p!.scenario.ring as { hosts: number }).hosts).toBe(2);
  });

  it('applies --set typed by the schema, and --seed/--duration overrides', () => {
    const [p] = loadScenario('scenarios/kernel/ring.yaml', { sets: ['ring.hosts=6', 'ring.linkLatency=1ms'], overrides: { seed: 9, duration: '5ms' } });
    const ring = p!.scenario.ring as { hosts: number; linkLatency: number };
    expect(ring.hosts).toBe(6);
    expect(ring.linkLatency).toBe(1_000_000);
    expect(p!.scenario.seed).toBe(9);
    expect(p!.scenario.durationNs).toBe(5_000_000);
  });

  it('expands sweep: as a cartesian product in file order', () => {
    const f = join(dir, 'sweep.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  ring.hosts: [2, 3]\n  seed: [1, 2, 3]\n');
    const pts = loadScenario(f);
    expect(pts.map((p) => p.label)).toEqual([
      'ring.hosts=2,seed=1', 'ring.hosts=2,seed=2', 'ring.hosts=2,seed=3',
      'ring.hosts=3,seed=1', 'ring.hosts=3,seed=2', 'ring.hosts=3,seed=3',
    ]);
    expect((pts[4]!.scenario.ring as { hosts: number }).hosts).toBe(3);
    expect(pts[4]!.scenario.seed).toBe(2);
  });

  it('merges include: files, the including file winning', () => {
    writeFileSync(join(dir, 'base.yaml'), 'ring:\n  hosts: 5\n  actorsPerHost: 3\n');
    const f = join(dir, 'inc.yaml');
    writeFileSync(f, 'include: base.yaml\nmodel: ring\nring:\n  hosts: 7\n');
    const [p] = loadScenario(f);
    expect(p!.scenario.ring).toMatchObject({ hosts: 7, actorsPerHost: 3 });
  });
});
