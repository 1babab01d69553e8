// Partitioning that never loses (issue 13): a run is split only across links
// of 50 µs or more; hosts joined by shorter links (the paper's 2 µs stressor →
// SUT link) share a partition, independent pairs split pair-aligned, and the
// choice is reported under `threads` without changing the result.
import { describe, expect, it } from 'vitest';
import { assignHosts } from '../../src/kernel/runner.ts';
import { createPartitionPool, lookaheadFor } from '../../src/run/execute.ts';
import { PAYOFF_LINK_NS, planPartitions } from '../../src/run/partitioning.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { runCli, stripWall } from '../helpers/cli.ts';

const sc = (file: string, sets: string[] = []) => loadScenario(file, { sets })[0]!.scenario;
const FIG3 = 'scenarios/paper/fig3-domu.yaml';
const PAIRS = 'scenarios/scale/pairs-8.yaml';
const RING = 'scenarios/kernel/ring.yaml';

describe('planPartitions (auto)', () => {
  it('keeps the paper’s two hosts (2 µs link) on one partition, whatever the workers', () => {
    for (const workers of [1, 2, 8]) {
      const p = planPartitions(sc(FIG3), workers);
      expect(p.partitions).toBe(1);
      expect(p.hostPartition).toEqual([0, 0]);
    }
    expect(planPartitions(sc(FIG3), 2).reason).toBe('the 2 hosts are joined by links of 2 µs (< 50 µs): a split would synchronise every 2 µs of virtual time');
    expect(planPartitions(sc(FIG3), 1).reason).toBe('one worker');
  });

  it('splits two hosts when their link is long enough to pay', () => {
    const p = planPartitions(sc(FIG3, [`net.link.propagation=${PAYOFF_LINK_NS}`]), 2);
    expect(p.partitions).toBe(2);
    expect(p.hostPartition).toEqual([0, 1]);
    expect(p.lookaheadNs).toBe(PAYOFF_LINK_NS);
  });

  it('splits independent stressor→SUT pairs pair-aligned: no link crosses a partition', () => {
    const three = planPartitions(sc(PAIRS, ['net.pairs=3']), 2);
    expect(three.partitions).toBe(2);
    expect(three.hostPartition).toEqual([0, 0, 0, 0, 1, 1]);
    expect(three.lookaheadNs).toBe(Infinity);
    expect(three.reason).toBe('3 groups of hosts (links below 50 µs stay inside a partition; 6 hosts) over 2 partitions');
    const eight = planPartitions(sc(PAIRS), 4);
    expect(eight.hostPartition).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    for (const workers of [2, 3, 5, 7, 8, 16]) {
      const p = planPartitions(sc(PAIRS), workers);
      expect(p.partitions).toBe(Math.min(workers, 8));
      for (let pair = 0; pair < 8; pair++) expect(p.hostPartition[2 * pair]).toBe(p.hostPartition[2 * pair + 1]);
      expect(new Set(p.hostPartition).size).toBe(p.partitions);
      // Contiguous blocks, in host order.
      expect([...p.hostPartition].sort((a, b) => a - b)).toEqual(p.hostPartition);
    }
  });

  it('ring demo: every host may talk to the next at the link latency; split only when that is long', () => {
    expect(planPartitions(sc(RING), 2).partitions).toBe(1);
    expect(planPartitions(sc(RING), 2).reason).toMatch(/20 µs latency \(< 50 µs\)/);
    const long = planPartitions(sc(RING, ['ring.linkLatency=200us']), 2);
    expect(long.partitions).toBe(2);
    expect(long.hostPartition).toEqual([0, 0, 1, 1]);
    expect(long.lookaheadNs).toBe(200_000);
  });

  it('sync.minLookaheadNs counts as the links’ latency', () => {
    expect(planPartitions(sc(FIG3, ['sync.minLookaheadNs=60000']), 2).partitions).toBe(2);
  });
});

describe('planPartitions (hosts): any host boundary, as before', () => {
  it('contiguous blocks of hosts and the lookahead of the links that cross', () => {
    const p = planPartitions(sc(PAIRS, ['net.pairs=3']), 2, 'hosts');
    expect(p.hostPartition).toEqual(assignHosts(6, 2));
    expect(p.lookaheadNs).toBe(2000);
    expect(planPartitions(sc(FIG3), 2, 'hosts').partitions).toBe(2);
    expect(planPartitions(sc(RING), 8, 'hosts').partitions).toBe(4);
    expect(lookaheadFor(sc(PAIRS, ['net.pairs=3']), 2)).toBe(2000);
    expect(lookaheadFor(sc(FIG3), 1)).toBe(Infinity);
  });
});

describe('PartitionPool.start checks an explicit placement', () => {
  it('rejects a placement with an unused partition or the wrong host count', async () => {
    const pool = createPartitionPool(2);
    try {
      const req = { model: 'ring', cfg: {}, seed: 1, endNs: 1000, lookaheadNs: 1000, hostCount: 3, partitions: 2, build: { trace: false, perVcpuMetrics: false } };
      expect(() => pool.start({ ...req, hostPartition: [0, 2, 2] })).toThrow(/each used/);
      expect(() => pool.start({ ...req, hostPartition: [0, 1] })).toThrow(/3 hosts/);
    } finally {
      await pool.destroy();
    }
  });
});

describe('vioemu run --workers 2 (auto partitioning)', () => {
  it('3 pairs split pair-aligned: no cross-partition traffic, results equal --workers 1; fig3 stays on one partition', async () => {
    const args = ['run', PAIRS, '--json', '--set', 'net.pairs=3', '--duration', '150ms', '--set', 'warmup=50ms'];
    const fig3 = ['run', FIG3, '--json', '--duration', '50ms', '--set', 'warmup=10ms', '--workers', '2'];
    const [a, b, c] = await Promise.all([runCli(args), runCli([...args, '--workers', '2']), runCli(fig3)]);
    for (const r of [a, b, c]) expect(r.code, r.stderr).toBe(0);
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    expect(ra.threads.reason).toBe('one worker');
    expect(rb.threads).toMatchObject({ partitions: 2, crossPartitionMessages: 0, lookaheadNs: null, reason: expect.stringMatching(/over 2 partitions$/) });
    expect(stripWall(rb)).toEqual(stripWall(ra));
    expect(JSON.parse(c.stdout).threads).toMatchObject({ partitions: 1, reason: expect.stringMatching(/2 µs/) });
  });

  it('--partition-by takes auto or hosts', async () => {
    const r = await runCli(['run', RING, '--duration', '1ms', '--partition-by', 'pairs']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('vioemu: --partition-by: want auto or hosts, got "pairs"');
  });
});
