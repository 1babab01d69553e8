// Signals and worker crashes keep what was gathered: the result is written.
// SIGINT, SIGTERM and SIGHUP stop at the next window (exit 128 + n); a second signal aborts.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';

const LONG_RUN = ['run', 'scenarios/kernel/ring.yaml', '--json', '--duration', '1h', '--set', 'ring.actorKind=plain', '--metrics-port', '0'];

/** Linux: the process is stopped (SIGSTOP took effect): state T in /proc/<pid>/stat. */
function isStopped(pid: number): boolean {
  try {
    return /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Run, and once the run is visibly under way (virtual time > 0 on /metrics, however slow the machine) send
 * `signals`. With `together`, the process is stopped first and continued after the last one, so they are all
 * pending at once and handled back to back (a loaded machine cannot slip the first stop's end between them).
 */
function interruptWhenRunning(args: string[], signals: NodeJS.Signals[], together = false): Promise<CliResult> {
  return runCli(args, {
    onSpawn: (kill, stderr, pid) => {
      const send = async () => {
        if (!together) return signals.forEach((s) => kill(s));
        kill('SIGSTOP');
        while (!isStopped(pid)) await new Promise((r) => setTimeout(r, 5));
        signals.forEach((s) => kill(s));
        kill('SIGCONT');
      };
      const poll = async () => {
        const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr());
        if (m) {
          const body = await (await fetch(m[1]!)).text().catch(() => '');
          const vt = Number(/^vioemu_virtual_time_seconds ([0-9.e+-]+)$/m.exec(body)?.[1] ?? 0);
          if (vt > 0.01) return send();
        }
        setTimeout(poll, 200);
      };
      void poll();
    },
  });
}

describe('partial results', () => {
  it.each([1, 2])('Ctrl-C writes the result so far and exits 130 (workers %i)', async (workers) => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-int-'));
    const r = await interruptWhenRunning([...LONG_RUN, '--out', out, '--workers', String(workers), '--partition-by', 'hosts'], ['SIGINT']);
    expect(r.code).toBe(130);
    const res = JSON.parse(r.stdout);
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0);
    expect(res.virtualSeconds).toBeLessThan(3600);
    expect(res.delivered).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).delivered).toBe(res.delivered);
  });

  it.each<[NodeJS.Signals, number]>([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ])('%s writes the result and the OpenMetrics file, exit %i', async (signal, code) => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-sig-'));
    const om = join(out, 'om', 'samples.txt');
    const r = await interruptWhenRunning([...LONG_RUN, '--out', out, '--openmetrics', om, '--openmetrics-interval', '10ms'], [signal]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`${signal} — stopping at the next window`));
    const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0);
    expect(res.delivered).toBeGreaterThan(0);
    const text = readFileSync(om, 'utf8');
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    expect(text).toMatch(/^vioemu_virtual_time_seconds/m);
  });

  it('stopped during the warm-up, the rates are over the time run (the counters were never reset), not over 1 ns', async () => {
    const r = await interruptWhenRunning(['run', 'scenarios/paper/fig3-domu.yaml', '--json', '--set', 'duration=1h', '--set', 'warmup=3000s', '--metrics-port', '0'], ['SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    const res = JSON.parse(r.stdout);
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeLessThan(3000);
    // 10 GbE and 8 cores bound every rate (the bug gave 2.5e10 Gb/s); the run moved some data.
    expect(res.throughputGbps).toBeGreaterThan(0.05);
    expect(res.throughputGbps).toBeLessThan(10);
    expect(res.coreUtilPct).toBeLessThanOrEqual(800);
    for (const p of res.pcpuBusyPct) expect(p).toBeLessThanOrEqual(100);
    expect(res.stressor.txCorePct).toBeLessThanOrEqual(100);
  });

  it('a second signal aborts at once (exit 128 + its number), writing nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vioemu-sig2-'));
    const r = await interruptWhenRunning([...LONG_RUN, '--out', out], ['SIGHUP', 'SIGTERM'], true);
    // A process-directed signal goes to any of the process's threads, so two sent together may be
    // handled in either order: the second one handled is the one that aborts.
    const second = /(SIGHUP|SIGTERM) again — aborting/.exec(r.stderr)?.[1];
    expect(second, r.stderr).toBeDefined();
    expect(r.code).toBe(second === 'SIGHUP' ? 129 : 143);
    expect(existsSync(join(out, 'result.json'))).toBe(false);
  });

  it.each([1, 2])('a crash in a worker still writes the result so far (workers %i)', async (workers) => {
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--json', '--workers', String(workers), '--partition-by', 'hosts', '--duration', '1s', '--set', 'ring.crashAt=100ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run failed: Error: injected crash at 100000000 ns \(ring\.crashAt\) \(partition 0, virtual time 100\.000ms\)/);
    const res = JSON.parse(r.stdout);
    expect(res.error).toMatch(/injected crash/);
    expect(res.errorAt).toEqual({ partition: 0, virtualTimeNs: 100_000_000 });
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0.05);
    expect(res.delivered).toBeGreaterThan(0);
    // The events up to the crash are kept (with one partition they used to read 0).
    expect(res.events).toBeGreaterThan(res.delivered);
    expect(res.xstateEvents).toBeGreaterThan(0);
    // --partition-by hosts splits the ring: with 2 workers the crash is one partition's, the other's echo is not reported.
    expect(res.threads.partitions).toBe(workers);
  });
});
