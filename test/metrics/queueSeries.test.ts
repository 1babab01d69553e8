// Every queue's drop counter exists from the start of a run at 0 (a panel shows 0, not "no data",
// before the first sample and on a path that never drops there) — all four queues, by name.
import { describe, expect, it } from 'vitest';
import { buildInProcess } from '../helpers/inProcess.ts';

describe('queue drop series', () => {
  it('nic_ring, backlog, netback_txq and frontend_ring are exported at 0 before anything ran', () => {
    const { sim } = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=10ms', 'warmup=0ms']);
    const queues = sim.metrics
      .snapshot()
      .filter((s) => s.name === 'vioemu_queue_drops_total')
      .map((s) => [s.labels[1], s.value]);
    expect(queues.sort()).toEqual([
      ['backlog', 0],
      ['frontend_ring', 0],
      ['netback_txq', 0],
      ['nic_ring', 0],
    ]);
  });
});
