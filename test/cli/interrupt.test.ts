// Ctrl-C and worker crashes keep what was gathered: the result is written.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('partial results', () => {
  it.each([1, 2])('Ctrl-C writes the result so far and exits 130 (workers %i)', async (workers) => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-int-'));
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--json', '--out', out, '--workers', String(workers), '--duration', '1h', '--set', 'ring.actorKind=plain'], {
      onSpawn: (kill) => setTimeout(() => kill('SIGINT'), 2500),
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
