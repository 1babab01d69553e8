// A model error in one partition is reported as itself — with its partition
// and virtual time — never as the "aborted" echo of the partitions it stopped.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { firstRealError, PartitionPool } from '../../src/kernel/runner.ts';
import { ABORT_ECHO_MESSAGE, type PartitionError, type PartitionTaskOutput } from '../../src/kernel/partitionTask.ts';

const WORKER = new URL('../helpers/faultyWorker.ts', import.meta.url).href;

function out(self: number, error: Partial<PartitionError> | null): PartitionTaskOutput {
  return {
    self, hosts: [], reachedNs: 0, events: 0, xstateEvents: 0, windows: 0, crossMessages: 0, interrupted: true, trace: [], startedAtMs: 0,
    error: error ? { name: 'Error', message: 'x', partition: self, atNs: 0, echo: false, ...error } : null,
  };
}

describe('firstRealError', () => {
  it('skips the abort echo and takes the earliest real error', () => {
    const e = firstRealError([
      out(0, { message: ABORT_ECHO_MESSAGE, echo: true, atNs: 5 }),
      out(1, { message: 'late', atNs: 900 }),
      out(2, { message: 'first', atNs: 800 }),
      out(3, null),
    ]);
    expect(e?.message).toBe('first');
    expect(e?.partition).toBe(2);
  });
  it('ties go to the lower partition; no errors give null', () => {
    expect(firstRealError([out(1, { atNs: 7, message: 'b' }), out(0, { atNs: 7, message: 'a' })])?.message).toBe('a');
    expect(firstRealError([out(0, null)])).toBeNull();
  });
});

describe('PartitionPool: a model error in partition 1 of 2', () => {
  const pool = new PartitionPool(2, WORKER);
  afterAll(() => pool.destroy());

  it('reports that error with its partition and time, and keeps the event counts', async () => {
    const res = await pool.start({
      model: 'faulty', cfg: { hosts: 4, linkNs: 1000, crashHost: 3, crashAtNs: 500_000 }, seed: 1, endNs: 10_000_000,
      lookaheadNs: 1000, hostCount: 4, partitions: 2, build: { trace: false, perVcpuMetrics: false },
    }).done;
    expect(res.error?.message).toBe('model error on host 3');
    expect(res.error?.echo).toBe(false);
    expect(res.error?.partition).toBe(1);
    expect(res.error?.atNs).toBeGreaterThanOrEqual(500_000);
    expect(res.error?.atNs).toBeLessThan(510_000);
    expect(res.interrupted).toBe(true);
    // Both partitions' events up to the crash, including the chunk the error interrupted.
    expect(res.events).toBeGreaterThan(1000);
    // And the windows run up to it (each ≤ 1 µs of the 500 µs): was 0 for a failed run.
    expect(res.windows).toBeGreaterThan(400);
  });

  it('leaves no timer behind once the final metric flushes arrived (a run with metrics used to exit 2 s late)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/leftoverTimers.ts', import.meta.url))], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: 0, after: 0, finals: 2, error: null });
  });

  it('a run started stopped (Ctrl-C came first) does no window, however late its handle would be stopped', async () => {
    // Stopping through the handle after start raced the worker: a main thread preempted in between (a loaded CI
    // machine) let a sweep point started after Ctrl-C run 0.25 virtual s. The flag is now up before the task goes out.
    const res = await pool.start({
      model: 'faulty', cfg: { hosts: 4, linkNs: 1000, crashHost: -1, crashAtNs: Infinity }, seed: 1, endNs: 10_000_000,
      lookaheadNs: 1000, hostCount: 4, partitions: 2, build: { trace: false, perVcpuMetrics: false }, stopped: true,
    }).done;
    expect(res.interrupted).toBe(true);
    expect(res.events).toBe(0);
    expect(res.windows).toBeLessThanOrEqual(1);
  });

  it('one partition: the events of the chunk the error cut short are counted (was 0)', async () => {
    const res = await pool.start({
      model: 'faulty', cfg: { hosts: 4, linkNs: 1000, crashHost: 2, crashAtNs: 500_000 }, seed: 1, endNs: 10_000_000,
      lookaheadNs: 1000, hostCount: 4, partitions: 1, build: { trace: false, perVcpuMetrics: false },
    }).done;
    expect(res.error).toMatchObject({ message: 'model error on host 2', partition: 0, echo: false });
    expect(res.events).toBeGreaterThan(1900);
  });
});
