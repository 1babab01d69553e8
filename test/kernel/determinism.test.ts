// Same scenario + seed → identical result JSON for any worker count.
import { describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../helpers/cli.ts';

const RING = 'scenarios/kernel/ring.yaml';

// `--partition-by hosts`: split at host boundaries even where it does not pay
// (20 µs links), so the cross-partition path is exercised.
describe('ring demo: --workers 1 and --workers 2 agree', () => {
  it.each([1, 7, 1234])('seed %i', async (seed) => {
    const args = ['run', RING, '--json', '--seed', String(seed), '--duration', '300ms'];
    const [a, b] = await Promise.all([runCli([...args, '--workers', '1']), runCli([...args, '--workers', '2', '--partition-by', 'hosts'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    expect(ra.delivered).toBeGreaterThan(10_000);
    expect(ra.remoteSent).toBeGreaterThan(1_000);
    expect(rb.threads.partitions).toBe(2);
    // 4 hosts on 2 partitions: hops 1→2 and 3→0 cross, about half of the remote ones.
    expect(rb.threads.crossPartitionMessages).toBeGreaterThan(ra.remoteSent * 0.4);
    expect(rb.threads.crossPartitionMessages).toBeLessThan(ra.remoteSent * 0.6);
    expect(stripWall(rb)).toEqual(stripWall(ra));
  });

  it('different seeds give different delivery orders', async () => {
    const [a, b] = await Promise.all([1, 2].map((s) => runCli(['run', RING, '--json', '--seed', String(s), '--duration', '50ms'])));
    expect(JSON.parse(a!.stdout).checksum).not.toBe(JSON.parse(b!.stdout).checksum);
  });
});
