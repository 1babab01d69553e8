// A resumed run stopped (Ctrl-C) before it wrote a checkpoint of its own still tells how to continue:
// the checkpoint it resumed from is there and resumable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-resint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** SIGINT once stderr matches `re`. */
const interruptOn = (re: RegExp) => ({
  onSpawn: (kill: (s: NodeJS.Signals) => void, stderr: () => string) => {
    const poll = setInterval(() => {
      if (re.test(stderr())) {
        clearInterval(poll);
        kill('SIGINT');
      }
    }, 5);
  },
});

describe('Ctrl-C in a resumed run', () => {
  it('before its first checkpoint: names the checkpoint to continue from', async () => {
    const ck = join(tmp, 'ck');
    const a = await runCli(['run', 'scenarios/soak/net-soak.yaml', '--duration', '1h', '--set', 'warmup=100ms', '--checkpoint', ck, '--checkpoint-every', '50ms'], interruptOn(/checkpoint at/));
    expect(a.code, a.stderr).toBe(130);
    expect(a.stderr).toMatch(/continue with: vioemu resume /);
    // No further checkpoint before the stop: one per hour of virtual time.
    const b = await runCli(['resume', ck, '--checkpoint-every', '1h'], interruptOn(/resuming net-soak/));
    expect(b.code, b.stderr).toBe(130);
    expect(b.stderr).not.toMatch(/checkpoint at/);
    const hint = /continue with: vioemu resume (\S+)/.exec(b.stderr)?.[1];
    expect(hint, b.stderr).toBeDefined();
    const c = await runCli(['resume', hint!, '--checkpoint-every', '1h'], interruptOn(/resuming net-soak/));
    expect(c.code, c.stderr).toBe(130);
  });
});
