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
});
