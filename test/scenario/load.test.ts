import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
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

function rejects(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('accepted');
}

const RING = 'scenarios/kernel/ring.yaml';
const XEN = 'scenarios/sched/weights.yaml';

describe('input edges (issue 11)', () => {
  it('an empty file or one without model: names model', () => {
    const f = join(dir, 'empty.yaml');
    writeFileSync(f, '');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'model', problem: expect.stringMatching(/^missing: the scenario is empty/) });
    writeFileSync(f, '# only a comment\n');
    expect(rejects(() => loadScenario(f)).fieldPath).toBe('model');
    writeFileSync(f, 'name: x\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'model', problem: expect.stringMatching(/^missing: say which model/) });
    // An empty file plus --set model=… is a scenario.
    writeFileSync(f, '');
    expect(loadScenario(f, { sets: ['model=ring'] })[0]!.scenario.model).toBe('ring');
  });

  it.each([
    ['seed=4294967296', 'seed', /got 4294967296$/],
    ['seed=1e300', 'seed', /got 1e\+300$/],
    ['seed=-1', 'seed', /got -1$/],
    ['seed=1.5', 'seed', /got 1\.5$/],
    ['seed=abc', 'seed', /got "abc"$/],
    ['ring.hosts=1e12', 'ring.hosts', /at most 4096 hosts/],
    ['ring.tokensPerActor=1e300', 'ring.tokensPerActor', /too large|at most/],
    ['ring.actorsPerHost=1048576', 'ring.actorsPerHost', /at most 1048575 actors per host/],
    ['ring.actorsPerHost=300000', 'ring.actorsPerHost', /4 hosts × 300000 actors = 1200000 actors; at most 1048576/],
    ['ring.tokensPerActor=200000', 'ring.tokensPerActor', /^128 actors × 200000 tokens = 25600000 tokens; at most 16777216/],
    ['duration=0', 'duration', /must be positive/],
    ['duration=87600h', 'duration', /too long: "87600h" is beyond 2\^53 ns/],
    ['duration=9007199254740993', 'duration', /too long: 9007199254740992 is beyond 2\^53 ns/],
    ['duration=1.5', 'duration', /integer ns/],
    ['ring.linkLatency=1e300', 'ring.linkLatency', /too long/],
    ['duration=true', 'duration', /^not a duration: true/],
    ['ring.linkLatency={a: 1}', 'ring.linkLatency', /^not a duration: \{"a":1\}/],
  ])('--set %s → %s', (set, field, problem) => {
    const e = rejects(() => loadScenario(RING, { sets: [set] }));
    expect(e.fieldPath).toBe(field);
    expect(e.problem).toMatch(problem);
  });

  it('seeds at the edges of 0..2^32-1 are fine', () => {
    expect(loadScenario(RING, { sets: ['seed=0'] })[0]!.scenario.seed).toBe(0);
    expect(loadScenario(RING, { sets: ['seed=4294967295'] })[0]!.scenario.seed).toBe(4294967295);
  });

  it('a duration just under 2^53 ns is accepted', () => {
    expect(loadScenario(RING, { sets: ['duration=2500h'] })[0]!.scenario.durationNs).toBe(2500 * 3600e9);
  });

  it.each(['..=1', '=1', '.=1', 'ring.=1', '.ring=1', 'ring..hosts=1', ' =1'])('--set %j names the empty path', (set) => {
    const e = rejects(() => loadScenario(RING, { sets: [set] }));
    expect(e.fieldPath).toBe('--set');
    expect(e.problem).toMatch(/has an empty (field path|name in its field path)/);
  });

  it('--set without = says how', () => {
    expect(rejects(() => loadScenario(RING, { sets: ['ring.hosts'] })).problem).toMatch(/want path\.to\.field=value/);
  });

  it('unknown keys get a did-you-mean from the keys allowed at that level', () => {
    const cases: [string, string, string][] = [
      ['ring.hostz=3', 'ring.hostz', 'did you mean ring.hosts?'],
      ['durashun=1s', 'durashun', 'did you mean duration?'],
      ['Seed=3', 'Seed', 'did you mean seed?'],
      ['sweeps=3', 'sweeps', 'did you mean sweep?'],
      ['sync.minLookahead=3', 'sync.minLookahead', 'did you mean sync.minLookaheadNs?'],
    ];
    for (const [set, path, hint] of cases) {
      const e = rejects(() => loadScenario(RING, { sets: [set] }));
      expect(e.fieldPath).toBe(path);
      expect(e.problem).toBe(`unknown field (${hint})`);
    }
    const far = rejects(() => loadScenario(RING, { sets: ['ring.zzzzzzzz=1'] }));
    expect(far.problem).toMatch(/^unknown field \(known: hosts, actorsPerHost, /);
  });

  it('did-you-mean inside lists and discriminated unions (xen)', () => {
    const e = rejects(() => loadScenario(XEN, { sets: ['xen.hosts.0.domains.1.wieght=3'] }));
    expect(e.fieldPath).toBe('xen.hosts.0.domains.1.wieght');
    expect(e.problem).toBe('unknown field (did you mean xen.hosts.0.domains.1.weight?)');
    const w = rejects(() => loadScenario(XEN, { sets: ['xen.hosts.0.domains.1.workload={kind: cpu-hog, chunkCycle: 5}'] }));
    expect(w.fieldPath).toBe('xen.hosts.0.domains.1.workload.chunkCycle');
    expect(w.problem).toMatch(/did you mean .*\.workload\.chunkCycles\?/);
  });

  it('--set indexes lists; out-of-range indexes name the path', () => {
    const [p] = loadScenario(XEN, { sets: ['xen.hosts.0.domains.0.weight=512'] });
    const host = (p!.scenario.xen as { hosts: { domains: { weight: number }[] }[] }).hosts[0]!;
    expect(host.domains[0]!.weight).toBe(512);
    expect(host.domains.length).toBeGreaterThan(1);
    const e = rejects(() => loadScenario(XEN, { sets: ['xen.hosts.7.name=x'] }));
    expect(e.fieldPath).toBe('xen.hosts.7.name');
    expect(e.problem).toMatch(/is not an index of this list: it has 1 item/);
  });

  it('__proto__ and friends are plain unknown fields, not prototype changes', () => {
    for (const set of ['__proto__.seed=5', 'ring.__proto__.hosts=5', 'constructor=1']) {
      const e = rejects(() => loadScenario(RING, { sets: [set] }));
      expect(e.problem).toMatch(/^unknown field/);
    }
    const f = join(dir, 'proto.yaml');
    writeFileSync(f, 'model: ring\n__proto__: {seed: 7}\n');
    expect(rejects(() => loadScenario(f)).fieldPath).toBe('__proto__');
  });

  it('sweeps: empty key segments and too many points are named', () => {
    const f = join(dir, 'sw.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  "..": [1]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep', problem: expect.stringMatching(/empty name/) });
    const big = Array.from({ length: 101 }, (_, i) => i + 1).join(', ');
    writeFileSync(f, `model: ring\nsweep:\n  seed: [${big}]\n  ring.hosts: [${big}]\n`);
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep', problem: expect.stringMatching(/^101 × 101 = 10201 points; at most 10000/) });
  });

  it('errors inside unions are named at their own path (was "pin.xen.hosts.0.domains.0.pin.0")', () => {
    const e = rejects(() => loadScenario(XEN, { sets: ['xen.hosts.0.domains.0.pin=[[a]]'] }));
    expect(e.fieldPath).toBe('xen.hosts.0.domains.0.pin.0.0');
  });

  it('xen topology: per-level and total PCPU limits', () => {
    expect(rejects(() => loadScenario(XEN, { sets: ['xen.hosts.0.topology.sockets=1e12'] })).fieldPath).toBe('xen.hosts.0.topology.sockets');
    const e = rejects(() => loadScenario(XEN, { sets: ['xen.hosts.0.topology={sockets: 32, l2PerSocket: 32, coresPerL2: 2}'] }));
    expect(e.fieldPath).toBe('xen.hosts.0.topology');
    expect(e.problem).toMatch(/2048 PCPUs; at most 1024/);
  });
});
