import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { applySet, loadScenario, MAX_SWEEP_POINTS } from '../../src/scenario/load.ts';

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

  it('names an include cycle and the include: that points at a missing file', () => {
    writeFileSync(join(dir, 'cyc-a.yaml'), 'include: [cyc-b.yaml]\nmodel: ring\n');
    writeFileSync(join(dir, 'cyc-b.yaml'), 'include: [cyc-a.yaml]\n');
    const cyc = rejects(() => loadScenario(join(dir, 'cyc-a.yaml')));
    expect(cyc.fieldPath).toBe('include');
    expect(cyc.message).toMatch(/cyc-b\.yaml: include: "cyc-a\.yaml" makes a cycle: .*cyc-a\.yaml → cyc-b\.yaml → cyc-a\.yaml$/);
    writeFileSync(join(dir, 'cyc-self.yaml'), 'include: cyc-self.yaml\nmodel: ring\n');
    expect(rejects(() => loadScenario(join(dir, 'cyc-self.yaml'))).problem).toMatch(/^"cyc-self\.yaml" makes a cycle/);
    // Two files including the same one is no cycle.
    writeFileSync(join(dir, 'dia-base.yaml'), 'ring: { hosts: 3 }\n');
    writeFileSync(join(dir, 'dia-b.yaml'), 'include: dia-base.yaml\n');
    writeFileSync(join(dir, 'dia-a.yaml'), 'include: [dia-base.yaml, dia-b.yaml]\nmodel: ring\n');
    expect(loadScenario(join(dir, 'dia-a.yaml'))[0]!.scenario.ring).toMatchObject({ hosts: 3 });
    const f = join(dir, 'inc-missing.yaml');
    writeFileSync(f, 'include: [nowhere.yaml]\nmodel: ring\n');
    const miss = rejects(() => loadScenario(f));
    expect(miss.message).toMatch(/inc-missing\.yaml: include: "nowhere\.yaml": file not found \(.*nowhere\.yaml\)$/);
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

  it('--set with an index into a list the file leaves out starts that list (was "Expected array, received object")', () => {
    const fleet = 'scenarios/scale/incast-64.yaml';
    const [p] = loadScenario(fleet, { sets: ['net.fleet.traffic.0.phases.0.duration=1s', 'net.fleet.traffic.0.phases.1.duration=2s', 'net.fleet.traffic.0.phases.1.active=false'] });
    const traffic = (p!.scenario.net as { fleet: { traffic: { phases: unknown[] }[] } }).fleet.traffic[0]!;
    expect(traffic.phases).toEqual([{ duration: 1e9, active: true }, { duration: 2e9, active: false }]);
    const [q] = loadScenario(XEN, { sets: ['xen.hosts.0.domains.0.pin.0=1'] });
    expect((q!.scenario.xen as { hosts: { domains: { pin: unknown }[] }[] }).hosts[0]!.domains[0]!.pin).toEqual([1]);
    const e = rejects(() => loadScenario(fleet, { sets: ['net.fleet.traffic.0.phases.1.duration=1s'] }));
    expect(e).toMatchObject({ fieldPath: 'net.fleet.traffic.0.phases.1.duration', problem: '"1" is not an index of this list: it is empty (0 appends)' });
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

  it('--set splits at the first =: the value may hold = signs', () => {
    const [p] = loadScenario(RING, { sets: ['description=a=b, c=d'] });
    expect(p!.scenario.description).toBe('a=b, c=d');
  });

  it('a sweep of exactly the most points is accepted; one more is named', () => {
    expect(MAX_SWEEP_POINTS).toBe(10_000);
    const f = join(dir, 'sw-edge.yaml');
    const list = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(', ');
    writeFileSync(f, `model: ring\nsweep:\n  seed: [${list(100)}]\n  ring.hosts: [${list(100)}]\n`);
    expect(loadScenario(f)).toHaveLength(10_000);
    writeFileSync(f, `model: ring\nsweep:\n  seed: [${list(10_001)}]\n`);
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep', problem: expect.stringMatching(/^10001 = 10001 points; at most 10000/) });
  });

  it('--set sweep.<path> replaces the file\'s axis over that field however its key is spaced', () => {
    const raw = applySet({ model: 'ring', sweep: { 'ring . hosts': [2, 3], seed: [1, 2] } }, 'sweep.ring.hosts=[4, 5, 6]', 'x.yaml');
    expect(raw.sweep).toEqual({ seed: [1, 2], 'ring.hosts': [4, 5, 6] });
  });

  it('sweeps: empty key segments and too many points are named', () => {
    const f = join(dir, 'sw.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  "..": [1]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep', problem: expect.stringMatching(/empty name/) });
    const big = Array.from({ length: 101 }, (_, i) => i + 1).join(', ');
    writeFileSync(f, `model: ring\nsweep:\n  seed: [${big}]\n  ring.hosts: [${big}]\n`);
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep', problem: expect.stringMatching(/^101 × 101 = 10201 points; at most 10000/) });
  });

  it('include: and sweep: where they cannot act (--set, a sweep axis) are named as such, not as unknown fields', () => {
    const set = rejects(() => loadScenario(RING, { sets: ['include=other.yaml'] }));
    expect(set).toMatchObject({ fieldPath: '--set', problem: expect.stringMatching(/include: is read with the file, before --set applies/) });
    const f = join(dir, 'sw-inc.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  include: [a.yaml, b.yaml]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep.include', problem: expect.stringMatching(/a sweep cannot vary it/) });
    writeFileSync(f, 'model: ring\nsweep:\n  seed: [1, 2]\n  sweep: [{ ring.hosts: [2] }]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep.sweep', problem: expect.stringMatching(/^sweeps do not nest/) });
  });
  it('a sweep value listed twice is named (it ran the same point twice)', () => {
    const f = join(dir, 'sw-dup.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  ring.hosts: [2, 3, 2]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep.ring.hosts', problem: '2 is listed twice (items 0 and 2); each value is one run' });
    writeFileSync(f, 'model: ring\nsweep:\n  ring: [{ hosts: 2 }, { hosts: 2 }]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'sweep.ring', problem: expect.stringMatching(/^\{"hosts":2\} is listed twice/) });
  });
  it('two sweep values that would share a label are refused: a point is known by its label (results, /metrics)', () => {
    const f = join(dir, 'sw-label.yaml');
    // A size takes 1024 and "1024" alike: two points, one label, one set of /metrics series (events_total added up).
    writeFileSync(f, 'model: net\nsweep:\n  net.messageSize: [512, 1024, "1024"]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({
      fieldPath: 'sweep.net.messageSize',
      problem: '1024 and "1024" (items 1 and 2) would both be labelled net.messageSize=1024; give each point a value of its own',
    });
    writeFileSync(f, 'model: net\nsweep:\n  net.messageSize: [1024, 1KiB]\n');
    expect(loadScenario(f).map((p) => p.label)).toEqual(['net.messageSize=1024', 'net.messageSize=1KiB']);
  });
  it('a value the sweep put there is named with its point; a problem of every point is not', () => {
    const f = join(dir, 'sw-bad.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  seed: [1, 2]\n  ring.hosts: [2, -1]\n');
    expect(rejects(() => loadScenario(f))).toMatchObject({ fieldPath: 'ring.hosts', problem: 'Number must be greater than 0 (sweep point seed=1,ring.hosts=-1)' });
    writeFileSync(f, 'model: ring\nsweep:\n  model: [ring, xen]\n');
    expect(rejects(() => loadScenario(f)).problem).toBe('Required (sweep point model=xen)');
    expect(rejects(() => loadScenario('scenarios/paper/fig12-txqueuelen.yaml', { overrides: { duration: '10ms' } }))).toMatchObject({ fieldPath: 'warmup', problem: expect.not.stringMatching(/sweep point/) });
  });
  it("settings the SUT has no use for are named, as a fleet's are (they were ignored silently)", () => {
    const dom0 = rejects(() => loadScenario('scenarios/paper/fig3-dom0.yaml', { sets: ['net.guests=4'] }));
    expect(dom0).toMatchObject({ fieldPath: 'net.guests', problem: expect.stringMatching(/^not used with net\.sut: dom0/) });
    const linux = rejects(() => loadScenario('scenarios/paper/fig3-linux.yaml', { sets: ['net.domu.placement=[3]'] }));
    expect(linux).toMatchObject({ fieldPath: 'net.domu.placement', problem: expect.stringMatching(/^not used with net\.sut: linux/) });
    expect(rejects(() => loadScenario('scenarios/paper/fig3-linux.yaml', { sets: ['net.dom0.vcpus=2'] })).fieldPath).toBe('net.dom0.vcpus');
    // One placement list placed only the first of several guests.
    const many = rejects(() => loadScenario('scenarios/paper/fig3-domu.yaml', { sets: ['net.guests=2', 'net.domu.placement=[3]'] }));
    expect(many).toMatchObject({ fieldPath: 'net.domu.placement', problem: expect.stringMatching(/places only the first of net\.guests 2 DomUs/) });
    // Defaults and the settings each SUT uses still load.
    expect(loadScenario('scenarios/paper/fig3-dom0.yaml', { sets: ['net.dom0.vcpus=2', 'net.domu.vcpus=2'] })).toHaveLength(1);
    expect(loadScenario('scenarios/paper/fig3-domu.yaml', { sets: ['net.guests=2'] })).toHaveLength(1);
  });
  // Each of these ran, with a result identical to the run without it.
  it.each([
    ['scenarios/paper/fig3-linux.yaml', 'net.netback.txqueuelen=1', 'net.netback.txqueuelen', /^not used with net\.sut: linux \(only a DomU receives through netback/],
    ['scenarios/paper/fig3-linux.yaml', 'net.netfront.napiWeight=1', 'net.netfront.napiWeight', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-linux.yaml', 'net.bridge=simple', 'net.bridge', /^not used with net\.sut: linux \(native Linux receives on its NIC with no bridge\)/],
    ['scenarios/paper/fig3-linux.yaml', 'net.optimizations=[C]', 'net.optimizations', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-linux.yaml', 'net.scheduler.creditSteal=true', 'net.scheduler.creditSteal', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-linux.yaml', 'net.contextSwitchCycles=1', 'net.contextSwitchCycles', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-linux.yaml', 'net.dom0.nicIrqVcpu=3', 'net.dom0.nicIrqVcpu', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-linux.yaml', 'net.dom0.idleTimer=0', 'net.dom0.idleTimer', /^not used with net\.sut: linux/],
    ['scenarios/paper/fig3-dom0.yaml', 'net.netback.stopTimeout=1ms', 'net.netback.stopTimeout', /^not used with net\.sut: dom0 \(only a DomU receives through netback/],
    ['scenarios/paper/fig3-dom0.yaml', 'net.optimizations=[D]', 'net.optimizations', /^not used with net\.sut: dom0: Opt D sizes netback's queue/],
    ['scenarios/paper/fig3-dom0.yaml', 'net.optDTxqueuelen=64', 'net.optDTxqueuelen', /^not used with net\.sut: dom0/],
    ['scenarios/paper/fig3-domu.yaml', 'net.tcp.wmemDefault=1000', 'net.tcp.wmemDefault', /^not used without net\.fleet/],
  ])('%s --set %s: named, not ignored', (file, set, field, problem) => {
    expect(rejects(() => loadScenario(file, { sets: [set] }))).toMatchObject({ fieldPath: field, problem: expect.stringMatching(problem) });
  });
  it('a setting the SUT cannot use, inherited from a shared include, loads; written in the scenario itself it is named', () => {
    // An include serves every SUT (costs.yaml, a site's Dom0 settings): the native baseline must still load.
    const shared = join(dir, 'site-dom0.yaml');
    writeFileSync(shared, 'net:\n  dom0: { irqBinding: irqbalance }\n  netback: { txqueuelen: 64 }\n  contextSwitchCycles: 5000\n');
    const linux = join(dir, 'linux-with-site.yaml');
    writeFileSync(linux, `include: [${JSON.stringify(shared)}]\nmodel: net\nnet: { sut: linux }\n`);
    expect(loadScenario(linux)).toHaveLength(1);
    // Written by the scenario, by --set or by a sweep: refused as before.
    const own = join(dir, 'linux-own.yaml');
    writeFileSync(own, 'model: net\nnet: { sut: linux, dom0: { irqBinding: irqbalance } }\n');
    expect(rejects(() => loadScenario(own)).fieldPath).toBe('net.dom0.irqBinding');
    expect(rejects(() => loadScenario(linux, { sets: ['net.netback.txqueuelen=128'] })).fieldPath).toBe('net.netback.txqueuelen');
    const swept = join(dir, 'linux-swept.yaml');
    writeFileSync(swept, `include: [${JSON.stringify(shared)}]\nmodel: net\nnet: { sut: linux }\nsweep:\n  net.bridge: [linux, simple]\n`);
    expect(rejects(() => loadScenario(swept)).fieldPath).toBe('net.bridge');
    // An axis added with --set sweep.PATH=[…] (or --set sweep={…}) is written by the run as much as the file's own.
    expect(rejects(() => loadScenario(linux, { sets: ['sweep.net.bridge=[linux, simple]'] })).fieldPath).toBe('net.bridge');
    expect(rejects(() => loadScenario(linux, { sets: ['sweep={net.netback.txqueuelen: [64, 128]}'] })).fieldPath).toBe('net.netback.txqueuelen');
    expect(rejects(() => loadScenario('scenarios/paper/fig3-dom0.yaml', { sets: ['sweep.net.guests=[1, 2]'] })).fieldPath).toBe('net.guests');
  });
  it('the path settings each SUT uses still load', () => {
    expect(loadScenario('scenarios/paper/fig3-dom0.yaml', { sets: ['net.bridge=simple', 'net.optimizations=[C]', 'net.dom0.idleTimer=0'] })).toHaveLength(1);
    expect(loadScenario('scenarios/paper/fig3-domu.yaml', { sets: ['net.netback.txqueuelen=1', 'net.optimizations=[A,B,C,D]'] })).toHaveLength(1);
  });
  it('per-VCPU lists longer than the VCPUs are named (the extra entries were ignored)', () => {
    const pp = 'scenarios/sched/ping-pong.yaml';
    const place = rejects(() => loadScenario(pp, { sets: ['xen.hosts.0.domains.1.placement=[0, 1, 2]'] }));
    expect(place).toMatchObject({ fieldPath: 'xen.hosts.0.domains.1.placement', problem: expect.stringMatching(/^3 entries for 1 VCPU \(vcpus\)/) });
    expect(rejects(() => loadScenario(pp, { sets: ['xen.hosts.0.domains.1.pin=[[0], [1]]'] })).fieldPath).toBe('xen.hosts.0.domains.1.pin');
    expect(rejects(() => loadScenario('scenarios/paper/fig3-domu.yaml', { sets: ['net.domu.placement=[1, 2]'] })).fieldPath).toBe('net.domu.placement');
    // One list shared by every VCPU, and one entry per VCPU, are fine.
    expect(loadScenario(pp, { sets: ['xen.hosts.0.domains.1.pin=[0, 1, 2]'] })).toHaveLength(1);
    expect(loadScenario(pp, { sets: ['xen.hosts.0.domains.1.vcpus=2', 'xen.hosts.0.domains.1.pin=[[0], [1]]', 'xen.hosts.0.domains.1.placement=[0, 1]'] })).toHaveLength(1);
  });
  it("a credit weight is 16 bits wherever a domain is set up (net.dom0 and net.domu took any integer)", () => {
    for (const [file, field] of [['scenarios/paper/fig3-domu.yaml', 'net.domu.weight'], ['scenarios/paper/fig3-domu.yaml', 'net.dom0.weight'], [XEN, 'xen.hosts.0.domains.1.weight']]) {
      expect(rejects(() => loadScenario(file!, { sets: [`${field}=65536`] }))).toMatchObject({ fieldPath: field, problem: expect.stringMatching(/^at most 65535/) });
      expect(loadScenario(file!, { sets: [`${field}=65535`] })).toHaveLength(1);
    }
  });

  it('a credit cap is 16 bits wherever a domain is set up, and 65535 is the domctl\'s "leave it unchanged" (any integer was taken)', () => {
    const FLEET = 'scenarios/scale/rack-16x16.yaml';
    for (const [file, field] of [['scenarios/paper/fig3-domu.yaml', 'net.domu.cap'], ['scenarios/paper/fig3-domu.yaml', 'net.dom0.cap'], [XEN, 'xen.hosts.0.domains.1.cap'], [FLEET, 'net.fleet.domuTemplates.guest.cap'], [FLEET, 'net.fleet.hostTemplates.clovertown.dom0.cap']]) {
      for (const bad of [65535, 70000]) expect(rejects(() => loadScenario(file!, { sets: [`${field}=${bad}`] }))).toMatchObject({ fieldPath: field, problem: expect.stringMatching(/^at most 65534/) });
      expect(loadScenario(file!, { sets: [`${field}=65534`] })).toHaveLength(1);
    }
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
