// Tests of resumed runs: a run that writes checkpoints (through the CLI), and
// what resuming its newest checkpoint in this process takes (Execution.run's
// point and `restore`).
import { expect } from 'vitest';
import { readCheckpoint } from '../../src/checkpoint/store.ts';
import type { ScenarioPoint } from '../../src/scenario/load.ts';
import { runCli } from './cli.ts';

/** `vioemu run <args> --checkpoint dir --checkpoint-every every`, which must succeed. */
export async function runWithCheckpoints(args: string[], dir: string, every: string): Promise<void> {
  const r = await runCli(['run', ...args, '--checkpoint', dir, '--checkpoint-every', every]);
  expect(r.code, r.stderr).toBe(0);
}

/** The newest checkpoint in `dir` as Execution.run takes it. */
export function resumeInput(dir: string): { point: ScenarioPoint; restore: { instantNs: number; eventsBase: number; hosts: ReturnType<typeof readCheckpoint>['checkpoint']['hosts'] } } {
  const { checkpoint } = readCheckpoint(dir);
  const { meta } = checkpoint;
  return { point: meta.point, restore: { instantNs: meta.instantNs, eventsBase: meta.eventsBase, hosts: checkpoint.hosts } };
}
