// sensitivity's progress lines count the runs that ended: after Ctrl-C the
// runs stopped part-way or never started are not counted as done (it printed
// "50/140", "100/140" and then "interrupted: 12 of 140 runs ended").
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('sensitivity progress after Ctrl-C', () => {
  it('never counts more runs done than ended', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-sens-prog-')), 's.md');
    const r = await runCli(['sensitivity', '--duration', '300ms', '--seeds', '1', '--workers', '1', '--out', out], {
      onSpawn: (kill, stderr) => {
        const poll = () => (/sensitivity: \d+ assumptions/.test(stderr()) ? kill('SIGINT') : setTimeout(poll, 50));
        poll();
      },
    });
    expect(r.code, r.stderr).toBe(130);
    const ended = Number(/interrupted: (\d+) of \d+ runs ended/.exec(r.stderr)?.[1]);
    expect(ended, r.stderr).toBeLessThan(50);
    const counted = [...r.stderr.matchAll(/^ {2}(\d+)\/\d+$/gm)].map((m) => Number(m[1]));
    for (const n of counted) expect(n, r.stderr).toBeLessThanOrEqual(ended);
  });
});
