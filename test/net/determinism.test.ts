// The network path is deterministic, and splitting stressor and SUT over two
// worker threads (lookahead = link latency) gives the same result.
import { describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../helpers/cli.ts';

describe('fig3-domu determinism', () => {
  it('same seed → identical result; --workers 2 = --workers 1', async () => {
    const args = ['run', 'scenarios/paper/fig3-domu.yaml', '--json', '--duration', '400ms', '--set', 'warmup=100ms'];
    const [a, b, c] = await Promise.all([runCli(args), runCli(args), runCli([...args, '--workers', '2'])]);
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
