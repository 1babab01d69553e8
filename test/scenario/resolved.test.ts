// `vioemu validate --print`: every point written back with all its defaults,
// as a scenario file that loads to the same point.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { resolvedYaml } from '../../src/scenario/resolved.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-resolved-'));
const files = ['kernel', 'sched', 'paper', 'scale', 'soak'].flatMap((d) =>
  readdirSync(join('scenarios', d), { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.yaml')).map((e) => join('scenarios', d, e.name)),
);

describe('resolved scenarios', () => {
  it.each(files)('%s: each point printed with its defaults loads back to the same point', (file) => {
    loadScenario(file, {}).forEach((p, i) => {
      const out = join(dir, `${file.replace(/\W+/g, '-')}-${i}.yaml`);
      writeFileSync(out, resolvedYaml(p));
      const [again] = loadScenario(out, {});
      expect(again!.scenario).toEqual(p.scenario);
    });
  });

  it('the CLI prints one YAML document per sweep point, labelled', async () => {
    const r = await runCli(['validate', 'scenarios/paper/fig12-txqueuelen.yaml', '--print']);
    expect(r.code).toBe(0);
    const docs = r.stdout.split(/^---$/m);
    expect(docs.length).toBe(loadScenario('scenarios/paper/fig12-txqueuelen.yaml', {}).length);
    expect(docs[0]).toMatch(/^# point: net\.netback\.txqueuelen=32\n/);
    expect(docs[0]).toMatch(/\n    txqueuelen: 32\n/);
  });
});
