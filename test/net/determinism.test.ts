// The network path is deterministic, and splitting stressor and SUT over two
// worker threads (lookahead = link latency) gives the same result. The splits
// are forced with `--partition-by hosts` (by default a 2 µs link is never cut:
// test/run/partitioning.test.ts).
import { describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../helpers/cli.ts';

describe('fig3-domu determinism', () => {
  it('same seed → identical result; --workers 2 = --workers 1', async () => {
    const args = ['run', 'scenarios/paper/fig3-domu.yaml', '--json', '--duration', '400ms', '--set', 'warmup=100ms'];
    const [a, b, c] = await Promise.all([runCli(args), runCli(args), runCli([...args, '--workers', '2', '--partition-by', 'hosts'])]);
    for (const r of [a, b, c]) expect(r!.code, r!.stderr).toBe(0);
    const ra = JSON.parse(a!.stdout);
    const rc = JSON.parse(c!.stdout);
    expect(ra.throughputGbps).toBeGreaterThan(0.5);
    expect(rc.threads.partitions).toBe(2);
    expect(rc.threads.crossPartitionMessages).toBeGreaterThan(1000);
    expect(stripWall(JSON.parse(b!.stdout))).toEqual(stripWall(ra));
    expect(stripWall(rc)).toEqual(stripWall(ra));
  });
});

describe('many stressor→SUT pairs', () => {
  it('3 pairs: the split pair crosses partitions, the others stay inside one; results equal --workers 1', async () => {
    const args = ['run', 'scenarios/scale/pairs-8.yaml', '--json', '--set', 'net.pairs=3', '--duration', '300ms', '--set', 'warmup=100ms'];
    const [a, b] = await Promise.all([runCli(args), runCli([...args, '--workers', '2', '--partition-by', 'hosts'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    expect(ra.pairCount).toBe(3);
    expect(ra.perPairGbps.every((g: number) => g > 0.5)).toBe(true);
    expect(rb.threads.lookaheadNs).toBe(2000);
    expect(rb.threads.crossPartitionMessages).toBeGreaterThan(0);
    expect(stripWall(rb)).toEqual(stripWall(ra));
  });
});
