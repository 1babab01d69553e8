// `vioemu worker --queue redis://HOST:PORT [--workers N]`: run sweep points for
// `vioemu sweep --queue` until SIGINT/SIGTERM/SIGHUP. The first signal takes no
// more points and finishes the running ones; a second stops them and puts their
// jobs back in the queue for another worker; a third exits at once.
// VIOEMU_QUEUE_LOCK_DURATION (for tests; default 30s) sets how long a job's
// lock lasts without renewal and how often the stalled check runs, i.e. how
// soon the jobs of a killed worker run again elsewhere.
import { availableParallelism } from 'node:os';
import { envDurationMs, LOCK_ENV } from '../queue/knobs.ts';
import { parseQueueUrl } from '../queue/url.ts';
import { LOCK_MS, QueueWorker } from '../queue/worker.ts';
import { intFlag } from './flagValues.ts';

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBERS;

export interface WorkerFlags {
  queue: string;
  workers?: string;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const target = parseQueueUrl(flags.queue);
  const concurrency = intFlag('workers', flags.workers, 1) ?? availableParallelism();
  const lockMs = envDurationMs(LOCK_ENV, LOCK_MS);
  const say = (line: string) => {
    try {
      process.stderr.write(`vioemu worker: ${line}\n`);
    } catch {
      // the terminal may be gone
    }
  };
  const worker = new QueueWorker({ target, concurrency, say, lockMs });
  let received: StopSignal | null = null;
  let count = 0;
  const onSignal = (sig: StopSignal) => {
    count++;
    received ??= sig;
    if (count === 1) {
      say(`${sig}: taking no more points${worker.busy ? `, finishing ${worker.busy} running (send it again to put them back in the queue)` : ''}`);
      worker.finish();
    } else if (count === 2 && worker.busy) {
      say(`${sig} again: stopping ${worker.busy} running point${worker.busy === 1 ? '' : 's'} and putting ${worker.busy === 1 ? 'its job' : 'their jobs'} back in the queue (once more exits at once)`);
      worker.release();
    } else if (count >= 2) {
      process.exit(128 + SIGNAL_NUMBERS[sig]);
    }
  };
  const handlers = (Object.keys(SIGNAL_NUMBERS) as StopSignal[]).map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    await worker.start();
    await worker.run(); // returns at once (closing) if a signal came during start
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
  return received ? 128 + SIGNAL_NUMBERS[received] : 0;
}
