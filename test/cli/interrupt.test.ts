// Ctrl-C and worker crashes keep what was gathered: the result is written.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('partial results', () => {
  it.each([1, 2])('Ctrl-C writes the result so far and exits 130 (workers %i)', async (workers) => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-int-'));
    // Interrupt once the run is visibly under way (virtual time > 0 on /metrics), however slow the machine.
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--json', '--out', out, '--workers', String(workers), '--duration', '1h', '--set', 'ring.actorKind=plain', '--metrics-port', '0'], {
      onSpawn: (kill, stderr) => {
        const poll = async () => {
          const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr());
          if (m) {
            const body = await (await fetch(m[1]!)).text().catch(() => '');
            const vt = Number(/^vioemu_virtual_time_seconds ([0-9.e+-]+)$/m.exec(body)?.[1] ?? 0);
            if (vt > 0.01) return kill('SIGINT');
          }
          setTimeout(poll, 200);
        };
        void poll();
      },
    });
    expect(r.code).toBe(130);
    const res = JSON.parse(r.stdout);
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0);
    expect(res.virtualSeconds).toBeLessThan(3600);
    expect(res.delivered).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).delivered).toBe(res.delivered);
  });

  it.each([1, 2])('a crash in a worker still writes the result so far (workers %i)', async (workers) => {
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--json', '--workers', String(workers), '--duration', '1s', '--set', 'ring.crashAt=100ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/injected crash at 100000000 ns/);
    const res = JSON.parse(r.stdout);
    expect(res.error).toMatch(/injected crash/);
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0.05);
    expect(res.delivered).toBeGreaterThan(0);
  });
});
