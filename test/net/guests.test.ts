// Several DomUs behind one Dom0: one vif (qdisc + ring) and netfront each,
// served by netback's single RX tasklet on Dom0 VCPU0.
import { describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../helpers/cli.ts';

describe('several guests', () => {
  it('3 DomUs share the path: each receives through its own vif, netback serves them on Dom0 VCPU0; deterministic across runs', async () => {
    const args = ['run', 'scenarios/paper/fig3-domu.yaml', '--json', '--duration', '800ms', '--set', 'warmup=300ms', '--set', 'net.guests=3', '--set', 'net.flows=12'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code, a.stderr).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(r.domains.map((d: { name: string }) => d.name)).toEqual(['dom0', 'domu0', 'domu1', 'domu2']);
    for (const d of r.domains.slice(1)) expect(d.cpuPct).toBeGreaterThan(5);
    expect(r.dom0VcpuCycles[0].io_channel).toBeGreaterThan(0);
    expect(r.netfront.rxTarget).toHaveLength(3);
    expect(r.throughputGbps).toBeGreaterThan(1);
    expect(r.drops.frontendRing).toBe(0);
    expect(stripWall(JSON.parse(b.stdout))).toEqual(stripWall(r));
  });
});
