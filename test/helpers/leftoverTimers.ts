// Run by test/kernel/runner.test.ts in a fresh process (vitest keeps timers of
// its own): a 2-partition run with metrics, then how many timers are left.
import { PartitionPool } from '../../src/kernel/runner.ts';

const pool = new PartitionPool(2, new URL('./faultyWorker.ts', import.meta.url).href);
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const before = timers();
let finals = 0;
const res = await pool.start({
  model: 'faulty', cfg: { hosts: 2, linkNs: 1000, crashHost: -1, crashAtNs: 0 }, seed: 1, endNs: 100_000,
  lookaheadNs: 1000, hostCount: 2, partitions: 2, build: { trace: false, perVcpuMetrics: false },
  onMetrics: (m) => void (m.final && finals++),
}).done;
const after = timers();
await pool.destroy();
process.stdout.write(JSON.stringify({ before, after, finals, error: res.error }) + '\n');
