// The fleet scenarios give the same result JSON on 1 and 2 workers (wall-clock
// and partitioning facts aside): a rack split at host boundaries (host–ToR
// links cross partitions; forced with --partition-by hosts, as auto keeps so
// small a fleet whole) and four racks placed whole (only the aggregation
// links cross). Short runs of the real CLI.
import { describe, expect, it } from 'vitest';
import { runCli, stripWall } from '../../helpers/cli.ts';

async function both(file: string, sets: string[], flags: string[] = []) {
  const args = (w: number) => ['run', file, '--json', '--workers', String(w), ...flags, ...sets.flatMap((s) => ['--set', s])];
  const one = await runCli(args(1), { timeoutMs: 200_000 });
  const two = await runCli(args(2), { timeoutMs: 200_000 });
  expect(one.code, one.stderr).toBe(0);
  expect(two.code, two.stderr).toBe(0);
  return { one: JSON.parse(one.stdout), two: JSON.parse(two.stdout) };
}

describe('fleets on 1 and 2 workers', () => {
  it('rack-16x16: identical results; the rack splits at a host boundary, lookahead = a host link', async () => {
    // auto would keep this rack on one partition (too little work per 2 µs window); hosts splits it.
    const { one, two } = await both('scenarios/scale/rack-16x16.yaml', ['duration=40ms', 'warmup=10ms'], ['--partition-by', 'hosts']);
    expect(two.threads.partitions).toBe(2);
    expect(two.threads.reason).toMatch(/split at host boundaries/);
    expect(two.threads.lookaheadNs).toBeGreaterThan(2000);
    expect(two.threads.crossPartitionMessages).toBeGreaterThan(0);
    expect(one.throughputGbps).toBeGreaterThan(10);
    expect(stripWall(two)).toEqual(stripWall(one));
  }, 240_000);

  it('dc-1024: identical results; whole racks per partition, lookahead = an aggregation link', async () => {
    // A run this short stays whole in auto mode (too short to pay for a second worker); hosts splits it, by racks.
    const { one, two } = await both('scenarios/scale/dc-1024.yaml', ['duration=8ms', 'warmup=2ms'], ['--partition-by', 'hosts']);
    expect(one.fleet.domus).toBe(1024);
    expect(two.threads.partitions).toBe(2);
    expect(two.threads.reason).toMatch(/whole racks/);
    expect(two.threads.lookaheadNs).toBeGreaterThan(2000);
    expect(one.goodput.jainIndex).toBeGreaterThan(0);
    expect(stripWall(two)).toEqual(stripWall(one));
  }, 240_000);
});
