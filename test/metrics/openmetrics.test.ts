// --openmetrics output is accepted by promtool and backfills samples stamped
// with virtual time (epoch + k × interval).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
if (!promtool) console.warn('SKIP openmetrics backfill: no `promtool` on PATH (Debian package prometheus)');

describe('--openmetrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vioemu-om-'));
  const file = join(dir, 'soak.om');

  it('writes families with virtual-time stamps, in order, ending with # EOF', async () => {
    const r = await runCli(['run', 'scenarios/soak/net-soak.yaml', '--duration', '12s', '--openmetrics', file, '--openmetrics-interval', '2s', '--openmetrics-epoch', '1700000000']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    const vt = text.split('\n').filter((l) => l.startsWith('vioemu_virtual_time_seconds '));
    expect(vt.map((l) => l.split(' ').slice(1))).toEqual([2, 4, 6, 8, 10, 12].map((s) => [String(s), `${1700000000 + s}.000`]));
    expect(text).toMatch(/^# TYPE vioemu_app_received_bytes counter$/m);
    for (const d of ["domu0", "domu1", "domu2"]) expect(text).toMatch(new RegExp(`^vioemu_app_received_bytes_total\\{host="sut",domain="${d}"\\} \\d+ 1700000012\\.000$`, "m"));
  });

  it.skipIf(!promtool)('promtool builds TSDB blocks from it and the dump holds the run’s samples at virtual timestamps', () => {
    const db = join(dir, 'tsdb');
    const c = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, db], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    mkdirSync(join(db, 'wal'), { recursive: true }); // `tsdb dump` opens the DB and wants a WAL directory
    const d = spawnSync(promtool, ['tsdb', 'dump', db], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(d.status, d.stderr).toBe(0);
    const vt = d.stdout.split('\n').filter((l) => l.startsWith('{__name__="vioemu_virtual_time_seconds"'));
    expect(vt.map((l) => l.split(' ').slice(-2))).toEqual([2, 4, 6, 8, 10, 12].map((s) => [String(s), String((1700000000 + s) * 1000)]));
    expect(d.stdout).toMatch(/vioemu_queue_drops_total.*queue="netback_txq"/);
  });

  it('busy time of a VCPU still running is counted at each sample, so no rate reads over 100%', async () => {
    // Eight CPU hogs run 30 ms slices; busy time credited only when a slice ended moved in 30 ms steps.
    const fine = join(dir, 'hogs.om');
    const r = await runCli(['run', 'scenarios/sched/balance-credit.yaml', '--duration', '400ms', '--set', 'xen.sampleEvery=10ms', '--openmetrics', fine, '--openmetrics-interval', '10ms']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/note: the xen model updates/);
    const byPcpu = new Map<string, number[]>();
    for (const l of readFileSync(fine, 'utf8').split('\n')) {
      const m = /^vioemu_pcpu_busy_seconds_total\{host="sut",pcpu="(\d+)"\} (\S+) /.exec(l);
      if (m) byPcpu.set(m[1]!, [...(byPcpu.get(m[1]!) ?? []), Number(m[2])]);
    }
    expect(byPcpu.size).toBe(8);
    for (const [pcpu, v] of byPcpu) {
      const steps = v.slice(1).map((x, i) => x - v[i]!);
      // No step exceeds the 10 ms interval (a rate over 100% would).
      for (const d of steps) expect(d, `pcpu ${pcpu}: ${steps.join(' ')}`).toBeLessThanOrEqual(0.010 + 1e-6);
      // After warm-up every PCPU runs a hog the whole time: each 10 ms moves it by 10 ms.
      for (const d of steps.slice(-6)) expect(d, `pcpu ${pcpu}`).toBeCloseTo(0.010, 6);
    }
  });

  it('says so when samples are finer than the model updates its metrics', async () => {
    const r = await runCli(['run', 'scenarios/sched/balance-credit.yaml', '--duration', '400ms', '--openmetrics', join(dir, 'coarse.om'), '--openmetrics-interval', '10ms']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: the xen model updates its metrics every 100\.000ms of virtual time; set `xen\.sampleEvery` to change it/);
  });
});
