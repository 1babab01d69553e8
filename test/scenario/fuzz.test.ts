// Fuzzing the scenario loader (fast-check): random and mutated scenario files
// and --set values. Every input is either accepted as a runnable scenario or
// rejected with a ScenarioError naming a field — never another exception.
// CI runs 2,000 cases in-process; FUZZ_CASES=20000 npx vitest run
// test/scenario/fuzz.test.ts runs more and writes the figures to FUZZ_OUT
// (default out/fuzz/scenario-fuzz.json).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { MODELS } from '../../src/scenario/registry.ts';
import { allowedKeysAt } from '../../src/scenario/suggest.ts';
import { REPO, runCli } from '../helpers/cli.ts';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const OUT = process.env.FUZZ_OUT ?? (process.env.FUZZ_CASES ? join(REPO, 'out/fuzz/scenario-fuzz.json') : null);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

const dir = mkdtempSync(join(tmpdir(), 'vioemu-fuzz-'));
// The cases are written beside a copy of the costs, so the texts (and what fast-check mutates in them) are the
// same wherever the repo is checked out.
writeFileSync(join(dir, 'costs.yaml'), readFileSync(join(REPO, 'scenarios/costs.yaml')));
const BASES = ['scenarios/kernel/ring.yaml', 'scenarios/sched/weights.yaml', 'scenarios/paper/fig3-domu.yaml', 'scenarios/paper/fig5-sedf.yaml'].map((f) =>
  readFileSync(join(REPO, f), 'utf8').replace(/include: \[[^\]]*\]/, 'include: [costs.yaml]'),
);
/** Problems about the file as a whole, which have no field to name. */
const FILE_LEVEL = /^(invalid YAML|top level must be a mapping|file not found|cannot read)/;

/** Field paths the schemas know (lists: items 0 and 1), a few levels deep. */
function knownPaths(): string[] {
  const paths = new Set<string>();
  const base = z.object({ name: z.string(), model: z.string(), seed: z.number(), duration: z.string(), warmup: z.string(), sync: z.object({ minLookaheadNs: z.number() }) });
  const walk = (schema: z.ZodTypeAny, at: (string | number)[], depth: number) => {
    if (depth > 6) return;
    for (const k of allowedKeysAt(schema, at)) {
      paths.add([...at, k].join('.'));
      walk(schema, [...at, k], depth + 1);
      for (const i of [0, 1]) if (allowedKeysAt(schema, [...at, k, i]).length) walk(schema, [...at, k, i], depth + 2);
    }
  };
  walk(base, [], 0);
  for (const [name, adapter] of Object.entries(MODELS)) walk(z.object({ [name]: adapter.section }), [], 0);
  return [...paths].sort();
}
const PATHS = knownPaths();

const edgeNumber = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(0, 1, 2, 4, 64, 4096, 4097, 65535, 65536, 2 ** 20, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 1e12, 1e300, -1, -1e300, 0.5, 1.5, NaN, Infinity, -Infinity),
  fc.double(),
);
const durationText = fc
  .tuple(fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(0, 1.5, 87600, 2500, 1e20, 9007199254740993)), fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'h', '', ' s', 'x', 'S', 'sec'))
  .map(([n, u]) => `${n}${u}`);
const word = fc.constantFrom('ring', 'xen', 'net', 'credit', 'sedf', 'cpu-hog', 'io-wake', 'ping-pong', 'idle', 'domu', 'dom0', 'linux', 'plain', 'xstate', 'A', 'B', 'C', 'D', 'newreno', 'cubic', 'simple', '__proto__', 'constructor', '');
const scalar = fc.oneof(edgeNumber, durationText, word, fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.oneof(word, fc.string({ maxLength: 6 })), tie('v'), { maxKeys: 3 })),
})).v;

/** A known path, often with a typo or an odd segment. */
const typo = (s: string) =>
  fc.nat({ max: Math.max(0, s.length - 1) }).chain((i) => fc.constantFrom(s.slice(0, i) + s.slice(i + 1), s.slice(0, i) + 'x' + s.slice(i), s.toUpperCase(), `${s}.`, `.${s}`, s.replace('.', '..'), `${s}.0`, `${s}.99`));
const path = fc.oneof({ arbitrary: fc.constantFrom(...PATHS), weight: 6 }, { arbitrary: fc.constantFrom(...PATHS).chain(typo), weight: 2 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });

function setIn(obj: Record<string, unknown>, p: string, v: unknown): void {
  const segs = p.split('.');
  let cur: Record<string, unknown> = obj;
  for (const s of segs.slice(0, -1)) {
    const next = cur[s];
    if (typeof next !== 'object' || next === null) Object.defineProperty(cur, s, { value: {}, enumerable: true, writable: true, configurable: true });
    cur = cur[s] as Record<string, unknown>;
  }
  Object.defineProperty(cur, segs[segs.length - 1]!, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A scenario built from known paths (plus typos) with edge-case values, as YAML text. */
const builtScenario = fc
  .record({
    model: fc.oneof(fc.constantFrom('ring', 'xen', 'net'), fc.constantFrom('ring', 'xen', 'net'), value, fc.constant(undefined)),
    fields: fc.array(fc.tuple(path, value), { maxLength: 6 }),
    sweep: fc.option(fc.dictionary(path, fc.oneof(fc.array(value, { maxLength: 4 }), value), { maxKeys: 2 }), { freq: 4 }),
    include: fc.option(fc.oneof(fc.constant(join(REPO, 'scenarios/costs.yaml')), fc.string({ maxLength: 8 }), value), { freq: 5 }),
  })
  .map(({ model, fields, sweep, include }) => {
    const doc: Record<string, unknown> = {};
    if (model !== undefined) doc.model = model;
    for (const [p, v] of fields) setIn(doc, p, v);
    if (sweep) doc.sweep = sweep;
    if (include !== null) doc.include = include;
    return stringify(doc);
  });

/** A real scenario with characters dropped, inserted or swapped. */
const mutatedScenario = fc
  .tuple(fc.constantFrom(...BASES), fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'insert', 'dup'), fc.constantFrom(':', ' ', '\n', '-', '[', '{', '"', '0', '9', 'e', '.', '#', '&', '*', '!', '\t', '|')), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [at, op, ch] of edits) {
      const i = at % Math.max(1, t.length);
      if (op === 'drop') t = t.slice(0, i) + t.slice(i + 1);
      else if (op === 'insert') t = t.slice(0, i) + ch + t.slice(i);
      else t = t.slice(0, i) + t.slice(i, i + 5) + t.slice(i);
    }
    return t;
  });

const fileText = fc.oneof(
  { arbitrary: builtScenario, weight: 6 },
  { arbitrary: mutatedScenario, weight: 3 },
  { arbitrary: fc.constantFrom(...BASES), weight: 1 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
);

const setValue = fc.oneof(
  fc.tuple(path, fc.oneof(durationText, word, fc.string({ maxLength: 8 }), edgeNumber.map(String), value.map((v) => stringify(v, { flow: true }).trim()))).map(([p, v]) => `${p}=${v}`),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('..=1', '=1', '.=', 'ring.hosts', '=', '__proto__.seed=3', 'xen.hosts.5.name=x', 'seed=4294967297', 'ring.hosts=1e12', 'duration=87600h'),
);

const input = fc.record({ text: fileText, sets: fc.array(setValue, { maxLength: 3 }) });

const figures = { cases: 0, accepted: 0, rejections: 0, exceptions: 0, fileLevelRejections: 0, seed: SEED, firstException: null as null | { input: unknown; error: string } };

afterAll(() => {
  if (!OUT) return;
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(figures, null, 2) + '\n');
});

/** "a.b.a.b.c": a path glued to itself (as union errors once were); null if it is not. */
function stutter(segs: string[]): string | null {
  for (let k = 1; 2 * k <= segs.length; k++) if (segs.slice(0, k).join('.') === segs.slice(k, 2 * k).join('.')) return segs.slice(0, 2 * k).join('.');
  return null;
}

/** The input itself has this path: as a dotted key (a sweep key, --set) or as nested mappings. */
function inputHasPath(text: string, sets: string[], path: string): boolean {
  // The loader trims a dotted key's names ("net. net.x" is net.net.x).
  const dots = (s: string) => s.replace(/[ \t]*\.[ \t]*/g, '.');
  if (dots(text).includes(path) || sets.some((s) => dots(s).startsWith(path))) return true;
  let node: unknown;
  try {
    node = parse(text);
  } catch {
    return false;
  }
  for (const seg of path.split('.')) {
    if (!node || typeof node !== 'object' || !(seg in node)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

/** Load one input; returns the rejection (or null if accepted); throws for anything that is not a clean outcome. */
function check(text: string, sets: string[], file: string): ScenarioError | null {
  writeFileSync(file, text);
  let points;
  // A process warning would reach the user's stderr as extra lines: count it as a failure.
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((w: string | Error) => void warnings.push(String(w))) as typeof process.emitWarning;
  try {
    points = loadScenario(file, { sets });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    if (e.message.includes('\n')) throw new Error(`rejection spans lines: ${e.message}`);
    if (!e.fieldPath && !FILE_LEVEL.test(e.problem)) throw new Error(`rejection names no field: ${e.message}`);
    const repeated = stutter(e.fieldPath.split('.'));
    if (repeated && !inputHasPath(text, sets, repeated)) throw new Error(`field path repeats itself: ${e.message}`);
    return e;
  } finally {
    process.emitWarning = emitWarning;
    if (warnings.length) throw new Error(`process warning while loading: ${warnings[0]}`);
  }
  // Accepted: what the run would do next must not throw either.
  for (const { scenario: sc } of points) {
    const a = MODELS[sc.model]!;
    if (!Number.isSafeInteger(sc.durationNs) || sc.durationNs <= 0) throw new Error(`bad duration ${sc.durationNs}`);
    if (!(Number.isSafeInteger(sc.warmupNs) && sc.warmupNs >= 0 && sc.warmupNs < sc.durationNs)) throw new Error(`bad warmup ${sc.warmupNs}`);
    if (!(Number.isInteger(sc.seed) && sc.seed >= 0 && sc.seed <= 2 ** 32 - 1)) throw new Error(`bad seed ${sc.seed}`);
    const hosts = a.hostCount(sc);
    if (!(Number.isInteger(hosts) && hosts >= 1 && hosts <= 65536)) throw new Error(`bad host count ${hosts}`);
    if (!(a.lookaheadNs(sc) > 0)) throw new Error(`bad lookahead ${a.lookaheadNs(sc)}`);
    a.links?.(sc);
    structuredClone(a.workerConfig(sc));
  }
  return null;
}

describe('scenario loader fuzz', () => {
  it(`${CASES} random and mutated scenarios and --set values: accepted, or rejected naming a field`, () => {
    const file = join(dir, 'case.yaml');
    fc.assert(
      fc.property(input, ({ text, sets }) => {
        figures.cases++;
        try {
          const r = check(text, sets, file);
          if (r === null) figures.accepted++;
          else {
            figures.rejections++;
            if (!r.fieldPath) figures.fileLevelRejections++;
          }
        } catch (e) {
          figures.exceptions++;
          figures.firstException ??= { input: { text, sets }, error: (e as Error).stack ?? String(e) };
          throw e;
        }
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
    expect(figures.exceptions).toBe(0);
    // The generators must exercise both outcomes.
    expect(figures.accepted).toBeGreaterThan(CASES / 50);
    expect(figures.rejections).toBeGreaterThan(CASES / 4);
  });

  it('through the CLI: rejected fuzz inputs exit 2 in one line, no stack trace', async () => {
    const picked: { text: string; sets: string[] }[] = [];
    const file = join(dir, 'pick.yaml');
    for (const c of fc.sample(input, { numRuns: 200, seed: SEED + 1 })) {
      if (picked.length < 6 && check(c.text, c.sets, file) !== null) picked.push(c);
    }
    expect(picked.length).toBe(6);
    const results = await Promise.all(
      picked.map(async (c, i) => {
        const f = join(dir, `cli-${i}.yaml`);
        writeFileSync(f, c.text);
        return runCli(['validate', f, ...c.sets.map((s) => `--set=${s}`)]);
      }),
    );
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^vioemu: scenario error: /);
    }
  });
});
