// Scenario loading: YAML → includes merged → --set overrides → zod validation
// with defaults; a `sweep:` section expands to one validated scenario per point.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ScenarioError } from './errors.ts';
import { durationNs, nonNegInt } from './fields.ts';
import type { Scenario } from './model.ts';
import { MODELS } from './registry.ts';

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Raw, v) : v;
  return out;
}

function readYaml(file: string, shownAs: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(shownAs, '', code === 'ENOENT' ? 'file not found' : `cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0]! : (e as Error).message;
    throw new ScenarioError(shownAs, '', `invalid YAML: ${msg}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObj(doc)) throw new ScenarioError(shownAs, '', 'top level must be a mapping');
  return doc;
}

/** Read a file and its `include:` list (paths relative to the including file; the file itself wins). */
export function readWithIncludes(file: string, shownAs = file, depth = 0): Raw {
  if (depth > 8) throw new ScenarioError(shownAs, 'include', 'includes nested too deeply (cycle?)');
  const doc = readYaml(file, shownAs);
  const inc = doc.include;
  delete doc.include;
  if (inc === undefined) return doc;
  const list = typeof inc === 'string' ? [inc] : inc;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new ScenarioError(shownAs, 'include', 'must be a path or a list of paths');
  }
  let merged: Raw = {};
  for (const rel of list as string[]) {
    const path = resolve(dirname(file), rel);
    merged = deepMerge(merged, readWithIncludes(path, rel, depth + 1));
  }
  return deepMerge(merged, doc);
}

function parseScalar(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** Apply "a.b.c=value" (value parsed as a YAML scalar/flow value). */
export function applySet(raw: Raw, assignment: string, shownAs: string): Raw {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ScenarioError(shownAs, assignment, '--set wants path.to.field=value');
  const path = assignment.slice(0, eq).split('.');
  const value = parseScalar(assignment.slice(eq + 1));
  return setPath(raw, path, value);
}

function setPath(raw: Raw, path: string[], value: unknown): Raw {
  const [head, ...rest] = path;
  const out: Raw = { ...raw };
  if (rest.length === 0) out[head!] = value;
  else out[head!] = setPath(isObj(raw[head!]) ? (raw[head!] as Raw) : {}, rest, value);
  return out;
}

const baseShape = {
  name: z.string().default('unnamed'),
  model: z.string(),
  seed: nonNegInt.default(1),
  duration: durationNs.default('1s'),
  warmup: durationNs.default(0),
  sync: z.object({ minLookaheadNs: nonNegInt.default(0) }).strict().default({}),
  description: z.string().optional(),
};

function firstIssue(err: z.ZodError): { path: string; message: string } {
  const issue = err.issues[0]!;
  let message = issue.message;
  if (issue.code === z.ZodIssueCode.unrecognized_keys) message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === z.ZodIssueCode.invalid_union && issue.unionErrors.length) {
    const inner = issue.unionErrors.flatMap((u) => u.issues).find((i) => i.code !== z.ZodIssueCode.invalid_type) ?? issue.unionErrors[0]!.issues[0]!;
    return { path: [...issue.path, ...inner.path].join('.'), message: inner.message };
  }
  return { path: issue.path.join('.'), message };
}

/** Validate one point (no sweep) and fill defaults. */
export function validateScenario(raw: Raw, shownAs: string): Scenario {
  const modelName = raw.model ?? 'ring';
  if (typeof modelName !== 'string' || !MODELS[modelName]) {
    throw new ScenarioError(shownAs, 'model', `unknown model ${JSON.stringify(modelName)} (known: ${Object.keys(MODELS).join(', ')})`);
  }
  const adapter = MODELS[modelName]!;
  const schema = z.object({ ...baseShape, [modelName]: adapter.section.default({}) }).strict();
  const res = schema.safeParse({ ...raw, model: modelName });
  if (!res.success) {
    const { path, message } = firstIssue(res.error);
    throw new ScenarioError(shownAs, path, message);
  }
  const v = res.data as Record<string, unknown> & { duration: number; warmup: number };
  const { duration, warmup, ...rest } = v;
  if (warmup >= duration) throw new ScenarioError(shownAs, 'warmup', `warmup (${warmup} ns) must be shorter than duration (${duration} ns)`);
  const sc = { ...(rest as Omit<Scenario, 'durationNs' | 'warmupNs'>), durationNs: duration, warmupNs: warmup } as Scenario;
  adapter.check?.(sc, shownAs);
  return sc;
}

export interface ScenarioPoint {
  /** "" for a single run, else e.g. "xen.netback.txqueuelen=128". */
  label: string;
  scenario: Scenario;
}

/** Expand `sweep: {path: [values]}` (cartesian product, in file order) into points. */
export function expandSweep(raw: Raw, shownAs: string): { label: string; raw: Raw }[] {
  const sweep = raw.sweep;
  const base = { ...raw };
  delete base.sweep;
  if (sweep === undefined) return [{ label: '', raw: base }];
  if (!isObj(sweep)) throw new ScenarioError(shownAs, 'sweep', 'must map field paths to lists of values');
  let points: { label: string; raw: Raw }[] = [{ label: '', raw: base }];
  for (const [path, values] of Object.entries(sweep)) {
    if (!Array.isArray(values) || values.length === 0) throw new ScenarioError(shownAs, `sweep.${path}`, 'must be a non-empty list');
    const next: typeof points = [];
    for (const p of points) {
      for (const val of values) {
        const lbl = `${path}=${typeof val === 'object' ? JSON.stringify(val) : String(val)}`;
        next.push({ label: p.label ? `${p.label},${lbl}` : lbl, raw: setPath(p.raw, path.split('.'), val) });
      }
    }
    points = next;
  }
  return points;
}

export interface LoadOptions {
  sets?: string[];
  /** Overrides applied after --set (e.g. --seed, --duration). */
  overrides?: Raw;
}

/** Load a scenario file into validated points; throws ScenarioError before anything runs. */
export function loadScenario(file: string, opts: LoadOptions = {}): ScenarioPoint[] {
  let raw = readWithIncludes(file, file);
  for (const s of opts.sets ?? []) raw = applySet(raw, s, file);
  if (opts.overrides) raw = deepMerge(raw, opts.overrides);
  return expandSweep(raw, file).map((p) => ({ label: p.label, scenario: validateScenario(p.raw, file) }));
}
