// The fleet scenarios give the same result JSON on 1 and 2 workers (wall-clock
// and partitioning facts aside): a rack split at host boundaries (host–ToR
// links cross partitions; forced with --partition-by hosts, as auto keeps so
// small a fleet whole) and four racks placed whole (only the aggregation
// links cross). Short runs of the real CLI.
import { describe, expect, it } from 'vitest';
import { Execution } from '../../../src/run/execute.ts';
import type { RunResult } from '../../../src/run/result.ts';
import { loadScenario } from '../../../src/scenario/load.ts';
import { REPO, runCli, stripWall } from '../../helpers/cli.ts';

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

// Three partitions: the ToR's partition sends to two peers and each peer's batches
// must decode there (the CLI caps --workers at the machine's cores, so through the API).
describe('fleets on 3 partitions', () => {
  it('rack-16x16 split over 3 partitions: identical results to one', async () => {
    const run = async (workers: number) => {
      const points = loadScenario(`${REPO}scenarios/scale/rack-16x16.yaml`, { sets: ['duration=10ms', 'warmup=2ms'] });
      const [out] = await new Execution().run(points, { workers, partitionBy: 'hosts' });
      return out!.result as RunResult & { error?: string; threads: { partitions: number; crossPartitionMessages: number } };
    };
    const one = await run(1);
    const three = await run(3);
    expect(three.error).toBeUndefined();
    expect(three.threads.partitions).toBe(3);
    expect(three.threads.crossPartitionMessages).toBeGreaterThan(0);
    expect(stripWall(three)).toEqual(stripWall(one));
  }, 240_000);
});
