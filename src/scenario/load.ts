// Scenario loading: YAML → includes merged → --set overrides → zod validation
// with defaults; a `sweep:` section expands to one validated scenario per point.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { formatNs } from '../kernel/time.ts';
import { ScenarioError } from './errors.ts';
import { durationNs, nonNegInt, seedField, show } from './fields.ts';
import { allowedKeysAt, unknownFieldHint } from './suggest.ts';
import { ALL_WRITTEN, type Scenario, type WrittenFields } from './model.ts';
import { MODELS } from './registry.ts';

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Set an own property, also for names like "__proto__" (plain assignment would change the prototype). */
function setOwn<T extends object>(o: T, k: string, v: unknown): T {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

export function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) setOwn(out, k, isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Raw, v) : v);
  return out;
}

/** Most points a sweep may expand to (each point is a whole run). */
export const MAX_SWEEP_POINTS = 10_000;

/** Parse YAML; errors and warnings (an unresolved tag is a typo here) throw with a one-line message. */
function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  // Several documents (--- between them, as `validate --print` writes a sweep's points): the library's message
  // would name its own API call.
  if (problem?.code === 'MULTIPLE_DOCS') throw new Error('the file holds several YAML documents (--- between them); a scenario is one — `validate --print` of a sweep writes one per point: keep one, or give the sweep');
  if (problem) throw new Error(problem.message.split('\n')[0]!.replace(/:$/, ''));
  return doc.toJS({ maxAliasCount: 100 }); // collection keys become strings (then unknown fields), silently
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
    throw new ScenarioError(shownAs, '', `invalid YAML: ${(e as Error).message.split('\n')[0]!}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObj(doc)) throw new ScenarioError(shownAs, '', 'top level must be a mapping');
  return doc;
}

/** Read a file and its `include:` list (paths relative to the including file; the file itself wins). */
export function readWithIncludes(file: string, shownAs = file, chain: { path: string; shownAs: string }[] = [], read: Raw = readYaml(file, shownAs)): Raw {
  const here = [...chain, { path: resolve(file), shownAs }];
  const doc = { ...read };
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
    // Said where it is written: the including file's include: names the file, and a cycle names its files.
    const loop = here.findIndex((f) => f.path === path);
    if (loop >= 0) throw new ScenarioError(shownAs, 'include', `${JSON.stringify(rel)} makes a cycle: ${[...here.slice(loop).map((f) => f.shownAs), rel].join(' → ')}`);
    if (here.length > 8) throw new ScenarioError(shownAs, 'include', 'includes nested more than 8 deep');
    if (!existsSync(path)) throw new ScenarioError(shownAs, 'include', `${JSON.stringify(rel)}: file not found (${path})`);
    merged = deepMerge(merged, readWithIncludes(path, rel, here));
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

/** Split "a.b.0.c" into segments; an empty path or an empty segment ("a..b") is an error. */
function splitPath(text: string, shownAs: string, where: string, what: string): string[] {
  if (text.trim() === '') throw new ScenarioError(shownAs, where, `${what} has an empty field path (want path.to.field)`);
  const segs = text.split('.');
  if (segs.some((s) => s.trim() === '')) throw new ScenarioError(shownAs, where, `${what} has an empty name in its field path (want path.to.field)`);
  return segs.map((s) => s.trim());
}

/** A sweep key's field path, however it is spaced (the key was checked when the sweep expanded). */
const axisSegs = (key: string): string[] => key.split('.').map((x) => x.trim());

/**
 * Whether one field path lies on the other (equal, or one inside the other). A list index names its item
 * however it is written ("0", "00": setPath reads both as 0).
 */
function pathsOverlap(a: readonly string[], b: readonly string[]): boolean {
  const seg = (x: string) => (/^\d+$/.test(x) ? String(Number(x)) : x);
  return a.slice(0, Math.min(a.length, b.length)).every((x, i) => seg(x) === seg(b[i]!));
}

/** Apply "a.b.c=value" (value parsed as a YAML scalar/flow value). */
export function applySet(raw: Raw, assignment: string, shownAs: string): Raw {
  const eq = assignment.indexOf('=');
  const what = JSON.stringify(assignment);
  if (eq < 0) throw new ScenarioError(shownAs, '--set', `${what}: want path.to.field=value`);
  const path = splitPath(assignment.slice(0, eq), shownAs, '--set', what);
  if (path[0] === 'include') throw new ScenarioError(shownAs, '--set', `${what}: include: is read with the file, before --set applies; write it in the scenario file`);
  const value = parseScalar(assignment.slice(eq + 1));
  if (path[0] === 'sweep' && path.length > 1) {
    // A sweep's keys are whole field paths (sweep: {net.netback.txqueuelen: [...]}): the rest of the path is one key,
    // replacing the file's axis over the same field however its key is spaced.
    const key = path.slice(1).join('.');
    const sweep: Raw = isObj(raw.sweep) ? { ...raw.sweep } : {};
    for (const k of Object.keys(sweep)) if (axisSegs(k).join('.') === key) delete sweep[k];
    return { ...raw, sweep: setOwn(sweep, key, value) };
  }
  return setPath(raw, path, value, shownAs, path.join('.'));
}

/** Copy-on-write set; a numeric segment indexes into an existing list (or appends at its end). */
function setPath(raw: unknown, path: string[], value: unknown, shownAs: string, full: string): Raw {
  const [head, ...rest] = path as [string, ...string[]];
  // A number under a field the file leaves out (a list that defaults to [] or null, such as phases or pin) starts that list.
  if ((raw === undefined || raw === null) && /^\d+$/.test(head)) raw = [];
  if (Array.isArray(raw)) {
    const i = /^\d+$/.test(head) ? Number(head) : NaN;
    if (!(i <= raw.length)) {
      const has = raw.length === 0 ? 'it is empty' : `it has ${raw.length} item${raw.length === 1 ? '' : 's'} (0..${raw.length - 1}`;
      throw new ScenarioError(shownAs, full, `${JSON.stringify(head)} is not an index of this list: ${has}${raw.length === 0 ? ' (' : '; '}${raw.length} appends)`);
    }
    const out = [...raw];
    out[i] = rest.length === 0 ? value : setPath(out[i], rest, value, shownAs, full);
    return out as unknown as Raw;
  }
  const obj: Raw = isObj(raw) ? raw : {};
  const cur = Object.prototype.hasOwnProperty.call(obj, head) ? obj[head] : undefined;
  return setOwn({ ...obj }, head, rest.length === 0 ? value : setPath(cur, rest, value, shownAs, full));
}

const baseShape = {
  name: z.string().default('unnamed'),
  model: z.string(),
  seed: seedField.default(1),
  duration: durationNs.default('1s'),
  warmup: durationNs.default(0),
  sync: z.object({ minLookaheadNs: nonNegInt.default(0) }).strict().default({}),
  description: z.string().optional(),
};

/** Keys handled before validation; still worth suggesting for typos at the top level. */
const PRE_VALIDATION_KEYS = ['sweep', 'include'];

/** "a.b.0.c"; names that would read wrong joined by dots (empty, with dots or spaces) are quoted. */
export function formatFieldPath(segs: readonly (string | number)[]): string {
  return segs.map((s) => (typeof s === 'number' || /^[^.\s"]+$/.test(s) ? String(s) : JSON.stringify(s))).join('.');
}

function firstIssue(err: z.ZodError, schema: z.ZodTypeAny): { path: string; message: string } {
  let issue: z.ZodIssue = err.issues[0]!;
  // A union reports each branch's failure (their paths are absolute): show the most telling one —
  // from the branch that got furthest into the value, a wrong value before a wrong type.
  while (issue.code === z.ZodIssueCode.invalid_union && issue.unionErrors.length) {
    const all = issue.unionErrors.flatMap((u) => u.issues);
    const score = (i: z.ZodIssue) => i.path.length * 2 + (i.code === z.ZodIssueCode.invalid_type ? 0 : 1);
    issue = all.reduce((best, i) => (score(i) > score(best) ? i : best), all[0]!);
  }
  const at = issue.path;
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const key = issue.keys[0]!;
    const allowed = allowedKeysAt(schema, at);
    if (at.length === 0) allowed.push(...PRE_VALIDATION_KEYS);
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more unknown: ${issue.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : '';
    return { path: formatFieldPath([...at, key]), message: `unknown field${unknownFieldHint(formatFieldPath(at), key, allowed)}${more}` };
  }
  if (issue.code === z.ZodIssueCode.invalid_union_discriminator) {
    // The field that says which kind this is (mode, pattern) is missing or unknown.
    return { path: formatFieldPath(at), message: `missing or unknown: want ${issue.options.map((o) => JSON.stringify(o)).join(' or ')}` };
  }
  return { path: formatFieldPath(at), message: issue.message };
}

/**
 * Validate one point (no sweep) and fill defaults. `written`: which fields the run itself wrote (loadScenario
 * knows; a raw scenario given whole wrote them all).
 */
export function validateScenario(raw: Raw, shownAs: string, written: WrittenFields = ALL_WRITTEN): Scenario {
  const known = Object.keys(MODELS);
  const modelName = raw.model;
  if (modelName === undefined) {
    throw new ScenarioError(shownAs, 'model', `missing: say which model builds the hosts (model: ${known.join(' | ')})`);
  }
  if (typeof modelName !== 'string' || !Object.prototype.hasOwnProperty.call(MODELS, modelName)) {
    throw new ScenarioError(shownAs, 'model', `unknown model ${show(modelName)} (known: ${known.join(', ')})`);
  }
  const adapter = MODELS[modelName]!;
  const schema = z.object({ ...baseShape, [modelName]: adapter.section.default({}) }).strict();
  const res = schema.safeParse({ ...raw, model: modelName });
  if (!res.success) {
    const { path, message } = firstIssue(res.error, schema);
    throw new ScenarioError(shownAs, path, message);
  }
  const v = res.data as Record<string, unknown> & { duration: number; warmup: number };
  const { duration, warmup, ...rest } = v;
  if (duration <= 0) throw new ScenarioError(shownAs, 'duration', `must be positive, got ${duration} ns`);
  if (warmup >= duration) {
    throw new ScenarioError(shownAs, 'warmup', `warmup (${formatNs(warmup)}) must be shorter than duration (${formatNs(duration)}); measure a shorter run with e.g. --set warmup=${formatNs(Math.floor(duration / 3)).replace(/\.?0+(?=[a-zµ]+$)/, '')}`, 'warmup-not-shorter');
  }
  const sc = { ...(rest as Omit<Scenario, 'durationNs' | 'warmupNs'>), durationNs: duration, warmupNs: warmup } as Scenario;
  adapter.check?.(sc, shownAs, written);
  return sc;
}

export interface ScenarioPoint {
  /** "" for a single run, else e.g. "xen.netback.txqueuelen=128". */
  label: string;
  scenario: Scenario;
}

/** How a sweep value shows in its point's label. */
function labelValue(val: unknown): string {
  return typeof val === 'object' ? JSON.stringify(val) : String(val);
}

/** Expand `sweep: {path: [values]}` (cartesian product, in file order) into points. */
export function expandSweep(raw: Raw, shownAs: string): { label: string; raw: Raw }[] {
  const sweep = raw.sweep;
  const base = { ...raw };
  delete base.sweep;
  if (sweep === undefined) return [{ label: '', raw: base }];
  if (!isObj(sweep)) throw new ScenarioError(shownAs, 'sweep', 'must map field paths to lists of values');
  const axes = Object.entries(sweep).map(([path, values]) => {
    const segs = splitPath(path, shownAs, 'sweep', `key ${JSON.stringify(path)}`);
    // Both are read before the points exist: an axis over them would reach the schema as an unknown field.
    if (segs[0] === 'include') throw new ScenarioError(shownAs, `sweep.${path}`, 'include: is read with the file, before the sweep expands; a sweep cannot vary it');
    if (segs[0] === 'sweep') throw new ScenarioError(shownAs, `sweep.${path}`, 'sweeps do not nest: list every axis directly under sweep:');
    if (!Array.isArray(values) || values.length === 0) throw new ScenarioError(shownAs, `sweep.${path}`, 'must be a non-empty list');
    // Runs are deterministic: a value listed twice is the same run twice, under two labels.
    const seen = values.map((v) => JSON.stringify(v));
    const dup = seen.findIndex((v, i) => seen.indexOf(v) !== i);
    if (dup >= 0) throw new ScenarioError(shownAs, `sweep.${path}`, `${show(values[dup])} is listed twice (items ${seen.indexOf(seen[dup]!)} and ${dup}); each value is one run`);
    // A point is known by its label (results, report look-ups, a sweep's /metrics series): two values that print
    // alike (1024 and "1024", which a size field takes alike) would be two points under one label.
    const shown = values.map(labelValue);
    const same = shown.findIndex((v, i) => shown.indexOf(v) !== i);
    if (same >= 0) {
      const first = shown.indexOf(shown[same]!);
      throw new ScenarioError(shownAs, `sweep.${path}`, `${show(values[first])} and ${show(values[same])} (items ${first} and ${same}) would both be labelled ${path}=${shown[same]}; give each point a value of its own`);
    }
    return { path, segs, values };
  });
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_SWEEP_POINTS) {
    throw new ScenarioError(shownAs, 'sweep', `${axes.map((a) => a.values.length).join(' × ')} = ${count} points; at most ${MAX_SWEEP_POINTS} (each point is a run)`);
  }
  let points: { label: string; raw: Raw }[] = [{ label: '', raw: base }];
  for (const { path, segs, values } of axes) {
    const next: typeof points = [];
    for (const p of points) {
      for (const val of values) {
        const lbl = `${path}=${labelValue(val)}`;
        next.push({ label: p.label ? `${p.label},${lbl}` : lbl, raw: setPath(p.raw, segs, val, shownAs, `sweep.${path}`) });
      }
    }
    points = next;
  }
  return points;
}

/** Field paths holding a value in a mapping: scalars and lists are leaves, an empty mapping writes nothing. */
function leafPaths(v: unknown, at: string[], out: string[][]): void {
  if (isObj(v)) for (const [k, x] of Object.entries(v)) leafPaths(x, [...at, k], out);
  else if (at.length > 0) out.push(at);
}

/**
 * The fields the run itself writes: its own file (not what its includes bring), --set, the overrides and the
 * sweep's axes. A field counts as written when one of these lies on its path (written inside it or around it).
 */
function writtenFields(fileDoc: Raw, opts: LoadOptions): WrittenFields {
  const { include: _include, ...own } = fileDoc;
  const paths: string[][] = [];
  const { sweep, ...fields } = own;
  leafPaths(fields, [], paths);
  if (isObj(sweep)) for (const key of Object.keys(sweep)) paths.push(axisSegs(key));
  for (const s of opts.sets ?? []) {
    const segs = axisSegs(s.slice(0, Math.max(0, s.indexOf('='))));
    // --set sweep.PATH=[…] adds an axis over PATH (applySet); --set sweep={…} gives the axes whole.
    if (segs[0] !== 'sweep') paths.push(segs);
    else if (segs.length > 1) paths.push(axisSegs(segs.slice(1).join('.')));
    else {
      const value = parseScalar(s.slice(s.indexOf('=') + 1));
      if (isObj(value)) for (const key of Object.keys(value)) paths.push(axisSegs(key));
    }
  }
  if (opts.overrides) leafPaths(opts.overrides, [], paths);
  return (fieldPath) => paths.some((p) => pathsOverlap(p, fieldPath.split('.')));
}

export interface LoadOptions {
  sets?: string[];
  /** Overrides applied after --set (e.g. --seed, --duration). */
  overrides?: Raw;
}

/**
 * A field given with --set (or --seed/--duration) is what the user asked for: a sweep axis of the file over the
 * same field (or a field around it) would silently replace it at every point, so that axis is dropped. A --set
 * of a field inside an axis's values (--set net.scheduler.ioThreshold=100 where the file sweeps net.scheduler)
 * goes into each value instead: the axis still varies the rest.
 */
function unsweepOverridden(raw: Raw, file: string, opts: LoadOptions): Raw {
  if (!isObj(raw.sweep)) return raw;
  const pinned: { segs: string[]; value?: unknown }[] = [];
  for (const s of opts.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq > 0) pinned.push({ segs: splitPath(s.slice(0, eq), file, '--set', JSON.stringify(s)), value: parseScalar(s.slice(eq + 1)) });
  }
  for (const k of Object.keys(opts.overrides ?? {})) pinned.push({ segs: [k] });
  const sweep: Raw = {};
  for (const [path, values] of Object.entries(raw.sweep)) {
    const axis = axisSegs(path);
    const touching = pinned.filter((p) => p.segs[0] !== 'sweep' && pathsOverlap(p.segs, axis));
    if (touching.some((p) => p.segs.length <= axis.length)) continue;
    let vals = values;
    for (const p of touching) {
      if (Array.isArray(vals)) vals = vals.map((v) => setPath(v, p.segs.slice(axis.length), p.value, file, p.segs.join('.')));
    }
    // Values the --set made equal are one point (--set net.domu.placement.0=3 on placements [0] and [7]).
    if (touching.length > 0 && Array.isArray(vals)) vals = vals.filter((v, i, all) => all.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
    setOwn(sweep, path, vals);
  }
  return { ...raw, sweep };
}

/** Load a scenario file into validated points; throws ScenarioError before anything runs. */
export function loadScenario(file: string, opts: LoadOptions = {}): ScenarioPoint[] {
  // The file is read once: what it writes itself (not its includes) decides which unusable settings are errors.
  const fileDoc = readYaml(file, file);
  const written = writtenFields(structuredClone(fileDoc), opts);
  let raw = readWithIncludes(file, file, [], fileDoc);
  const empty = Object.keys(raw).length === 0;
  for (const s of opts.sets ?? []) raw = applySet(raw, s, file);
  if (opts.overrides) raw = deepMerge(raw, opts.overrides);
  raw = unsweepOverridden(raw, file, opts);
  if (empty && raw.model === undefined) {
    throw new ScenarioError(file, 'model', `missing: the scenario is empty (it needs at least model: ${Object.keys(MODELS).join(' | ')})`);
  }
  const axes = isObj(raw.sweep) ? Object.keys(raw.sweep).map(axisSegs) : [];
  return expandSweep(raw, file).map((p, i) => {
    try {
      return { label: p.label, scenario: validateScenario(p.raw, file, written) };
    } catch (e) {
      if (!(e instanceof ScenarioError) || !p.label) throw e;
      // The file may not hold the value at fault: when the sweep put it there (a later point fails, or the field is
      // one an axis varies), say which point. A problem of every point (the first fails outside the axes) is the file's.
      const segs = e.fieldPath.split('.');
      const swept = axes.some((a) => pathsOverlap(a, segs));
      if (i === 0 && !swept) throw e;
      throw new ScenarioError(e.file, e.fieldPath, `${e.problem} (sweep point ${p.label})`, e.kind, p.label);
    }
  });
}
