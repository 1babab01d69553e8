// Ctrl-C in a local sweep: the points under way stop and report what they gathered, and the points a
// stop came before are said to have never run (as a queued sweep says), not only left to read as
// interrupted at 0 virtual seconds.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('Ctrl-C in a sweep', () => {
  it('says which points never ran', async () => {
    const r = await runCli(
      ['sweep', 'scenarios/paper/fig12-txqueuelen.yaml', '--duration', '1h', '--set', 'warmup=100ms', '--workers', '1', '--json', '--metrics-port', '0'],
      {
        onSpawn: (kill, stderr) => {
          // Once the first point is visibly under way (virtual time on /metrics), however slow the machine.
          const poll = async () => {
            const url = /metrics at (\S+)/.exec(stderr())?.[1];
            if (url) {
              const body = await (await fetch(url)).text().catch(() => '');
              if (Number(/^vioemu_virtual_time_seconds\{point="[^"]*"\} ([0-9.e+-]+)$/m.exec(body)?.[1] ?? 0) > 0.01) return kill('SIGINT');
            }
            setTimeout(poll, 100);
          };
          void poll();
        },
      },
    );
    expect(r.code, r.stderr).toBe(130);
    // Each point has its own series: said once, beside the address.
    expect(r.stderr).toMatch(/^vioemu: note: the 5 points of this sweep each have their own series, labelled point=/m);
    const res = JSON.parse(r.stdout) as { point: string; virtualSeconds: number; interrupted: boolean }[];
    expect(res).toHaveLength(5);
    expect(res[0]!.virtualSeconds).toBeGreaterThan(0);
    for (const p of res) expect(p.interrupted).toBe(true);
    // The points after the first start after the stop and stop at their first window, having run no event.
    const never = res.slice(1).filter((p) => p.virtualSeconds === 0);
    expect(never).toHaveLength(4);
    expect(r.stderr).toContain(`${never.length} points never ran (reported as interrupted): ${never.map((p) => p.point).join(', ')}\n`);
  });
});
