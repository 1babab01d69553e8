import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-sweep-override-'));

// A --set (or --seed) of a field the file sweeps used to be overwritten at every point, silently:
// `--set net.domu.placement=[3]` on fig5-sedf.yaml ran placements [0] and [7].
describe('--set of a swept field', () => {
  it('wins over the sweep axis of that field (fig5-sedf)', () => {
    const pts = loadScenario('scenarios/paper/fig5-sedf.yaml', { sets: ['net.domu.placement=[3]'] });
    expect(pts.map((p) => (p.scenario.net as { domu: { placement?: number[] } }).domu.placement)).toEqual([[3]]);
  });

  it('drops only the overlapping axis; the others still expand', () => {
    const f = join(dir, 'sweep.yaml');
    writeFileSync(f, 'model: ring\nsweep:\n  ring.hosts: [2, 3]\n  seed: [1, 2, 3]\n');
    const pts = loadScenario(f, { sets: ['ring.hosts=6'] });
    expect(pts.map((p) => [(p.scenario.ring as { hosts: number }).hosts, p.scenario.seed])).toEqual([[6, 1], [6, 2], [6, 3]]);
    const bySeed = loadScenario(f, { overrides: { seed: 9 } });
    expect(bySeed.map((p) => [(p.scenario.ring as { hosts: number }).hosts, p.scenario.seed])).toEqual([[2, 9], [3, 9]]);
    // A --set of a whole section holding the swept field counts too.
    expect(loadScenario(f, { sets: ['ring={hosts: 5}'] }).map((p) => (p.scenario.ring as { hosts: number }).hosts)).toEqual([5, 5, 5]);
  });

  it('goes into each value of an axis over the section holding the field (fig9 sweeps net.scheduler)', () => {
    // Dropping the axis ran 4 points of plain credit: Opt A and A+B, what fig9 compares, were gone.
    const pts = loadScenario('scenarios/paper/fig9-creditsteal.yaml', { sets: ['net.scheduler.ioThreshold=100'] });
    const sched = pts.map((p) => (p.scenario.net as { scheduler: { cacheAware: boolean; creditSteal: boolean; ioThreshold: number } }).scheduler);
    expect(pts).toHaveLength(12);
    expect(sched.every((s) => s.ioThreshold === 100)).toBe(true);
    expect(sched.filter((s) => s.cacheAware && s.creditSteal)).toHaveLength(4);
    // Values the --set makes equal collapse to one point.
    expect(loadScenario('scenarios/paper/fig5-sedf.yaml', { sets: ['net.domu.placement.0=3'] })).toHaveLength(1);
  });

  it('sees a list index however it is written (a --set of xen.hosts.00 is one of xen.hosts.0)', () => {
    // setPath reads "00" as item 0, so the --set went into the base; the axis over xen.hosts.0.scheduler was kept
    // and silently put credit back at every point.
    const f = join(dir, 'index.yaml');
    writeFileSync(f, 'include: ' + join(process.cwd(), 'scenarios/sched/ping-pong.yaml') + '\nsweep:\n  xen.hosts.0.scheduler: [{ policy: credit }, { policy: credit, ioThreshold: 100 }]\n');
    const pts = loadScenario(f, { sets: ['xen.hosts.00.scheduler={policy: sedf}'] });
    expect(pts.map((p) => (p.scenario.xen as { hosts: { scheduler: { policy: string } }[] }).hosts[0]!.scheduler.policy)).toEqual(['sedf']);
  });

  it('leaves a sweep alone when --set touches other fields', () => {
    expect(loadScenario('scenarios/paper/fig5-sedf.yaml', { sets: ['net.flows=2'] })).toHaveLength(2);
  });
});

// A sweep's keys are whole field paths: `--set sweep.ring.hosts=[2,3]` used to nest them (sweep: {ring: {hosts: …}})
// and fail with "sweep.ring: must be a non-empty list".
describe('--set of a sweep axis', () => {
  it('adds an axis, its key the whole path', () => {
    const pts = loadScenario('scenarios/kernel/ring.yaml', { sets: ['sweep.ring.hosts=[2, 3]'] });
    expect(pts.map((p) => p.label)).toEqual(['ring.hosts=2', 'ring.hosts=3']);
  });

  it("replaces the file's axis over the same field (fig12 sweeps net.netback.txqueuelen)", () => {
    const pts = loadScenario('scenarios/paper/fig12-txqueuelen.yaml', { sets: ['sweep.net.netback.txqueuelen=[64, 100]'] });
    expect(pts.map((p) => p.label)).toEqual(['net.netback.txqueuelen=64', 'net.netback.txqueuelen=100']);
  });
});
