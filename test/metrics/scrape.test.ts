// /metrics is served over HTTP during a run and virtual time grows.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

function gauge(text: string, name: string): number | null {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

describe('metrics endpoint', () => {
  it('serves vioemu_virtual_time_seconds and it grows while the run goes on', async () => {
    const samples: number[] = [];
    let bodies = '';
    const r = await runCli(
      ['run', 'scenarios/kernel/ring.yaml', '--metrics-port', '0', '--pace', '1', '--duration', '8s', '--set', 'ring.actorKind=plain', '--metrics-linger', '1'],
      {
        onSpawn: (_kill, stderr) => {
          const poll = async () => {
            const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr());
            if (!m) return setTimeout(poll, 100);
            // Wait until the run is under way (workers start slower on a loaded machine), then sample.
            for (let i = 0; i < 100; i++) {
              const body = await (await fetch(m[1]!)).text();
              if ((gauge(body, 'vioemu_virtual_time_seconds') ?? 0) > 0) break;
              await new Promise((res) => setTimeout(res, 200));
            }
            for (let i = 0; i < 3; i++) {
              const body = await (await fetch(m[1]!)).text();
              bodies = body;
              samples.push(gauge(body, 'vioemu_virtual_time_seconds') ?? -1);
              await new Promise((res) => setTimeout(res, 700));
            }
          };
          void poll();
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(samples).toHaveLength(3);
    expect(samples[0]).toBeGreaterThan(0);
    expect(samples[1]).toBeGreaterThan(samples[0]!);
    expect(samples[2]).toBeGreaterThan(samples[1]!);
    expect(bodies).toMatch(/^# TYPE vioemu_events_total counter$/m);
    expect(bodies).toMatch(/^vioemu_demo_tokens_delivered_total\{host="0"\} \d+/m);
  });
});
