// A checkpoint whose checksums hold but whose run options are missing or malformed (written by hand, or
// by a tool) exits 2 naming the section and the field, like one whose scenario no file could give —
// not a TypeError with a stack trace.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/checkpoint/format.ts';
import { decode, encode } from '../../src/checkpoint/store.ts';
import { runCli } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-ckforged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let newest = '';

beforeAll(async () => {
  const ck = join(tmp, 'ck');
  const r = await runCli(['run', 'scenarios/soak/net-soak.yaml', '--duration', '300ms', '--set', 'warmup=100ms', '--checkpoint', ck, '--checkpoint-every', '100ms']);
  expect(r.code, r.stderr).toBe(0);
  newest = join(ck, readdirSync(ck).filter((n) => n.endsWith('.vck')).sort().at(-1)!);
});

describe('run options of a forged checkpoint', () => {
  it.each<[string, (o: Record<string, unknown>) => void, RegExp]>([
    ['missing', (o) => Object.keys(o).forEach((k) => delete o[k]), /bad run options: scenarioFile/],
    ['no checkpoint interval', (o) => delete o.checkpointEveryNs, /bad run options: checkpointEveryNs/],
    ['a partitioning no flag gives', (o) => (o.partitionBy = 'racks'), /bad run options: partitionBy/],
  ])('%s', async (_, forge, re) => {
    const c = decode(readFileSync(newest));
    forge(c.meta.options as unknown as Record<string, unknown>);
    const f = join(tmp, 'forged.vck');
    writeFileSync(f, encode(c));
    const r = await runCli(['resume', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/checkpoint meta: /);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/TypeError|\n\s+at /);
  });

  it('no options at all', async () => {
    const c = decode(readFileSync(newest));
    delete (c.meta as unknown as Record<string, unknown>).options;
    const f = join(tmp, 'forged2.vck');
    writeFileSync(f, encode(c));
    const r = await runCli(['resume', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/checkpoint meta: bad run options: missing/);
  });

  it('an instant outside the run (at its start or its end) is refused', () => {
    for (const instantNs of [0, 300_000_000]) {
      const c = decode(readFileSync(newest));
      c.meta.instantNs = instantNs;
      expect(() => decode(encode(c)), String(instantNs)).toThrow(/meta: instant \d+ ns is not inside the run/);
    }
  });

  it('a host section that holds another host is refused as malformed', () => {
    const c = decode(readFileSync(newest));
    expect(c.hosts.length).toBeGreaterThanOrEqual(2);
    // Section host:0 carries host 1's state and the other way round.
    const forged = encodeCheckpoint([['meta', c.meta], ...(c.openmetrics ? ([['openmetrics', c.openmetrics]] as [string, unknown][]) : []), ['host:0', c.hosts[1]], ['host:1', c.hosts[0]], ...c.hosts.slice(2).map((h): [string, unknown] => [`host:${h.hostIndex}`, h])]);
    expect(() => decode(forged)).toThrow(/^host:0: malformed$/);
  });

  it('a run that exported OpenMetrics but whose checkpoint lacks the samples is refused', () => {
    const c = decode(readFileSync(newest));
    expect(c.openmetrics).toBeNull();
    c.meta.options.openmetrics = { file: join(tmp, 'run.om'), intervalNs: 1e9, epochS: 0 };
    expect(() => decode(encode(c))).toThrow(/^openmetrics: missing/);
  });
});
