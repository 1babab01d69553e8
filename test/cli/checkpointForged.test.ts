// A checkpoint whose checksums hold but whose run options are missing or malformed (written by hand, or
// by a tool) exits 2 naming the section and the field, like one whose scenario no file could give —
// not a TypeError with a stack trace.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
