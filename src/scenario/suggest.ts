// "Did you mean …?" for unknown scenario fields: the keys a zod schema allows
// at a field path, and the closest one by edit distance.
import { z } from 'zod';

/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate to `word`, if close enough to be a plausible typo (case ignored). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.ceil(w.length * 0.4));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** Strip wrappers (default, optional, nullable, effects, lazy) down to the schema that parses values. */
function unwrap(s: z.ZodTypeAny): z.ZodTypeAny {
  for (let i = 0; i < 32; i++) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodEffects) s = s.innerType();
    else if (s instanceof z.ZodLazy) s = s.schema;
    else if (s instanceof z.ZodBranded) s = s.unwrap();
    else if (s instanceof z.ZodCatch) s = s._def.innerType;
    else if (s instanceof z.ZodPipeline) s = s._def.in;
    else return s;
  }
  return s;
}

/** Every schema a value at `path` may be parsed by (unions give several). */
function schemasAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): z.ZodTypeAny[] {
  let cur = [unwrap(schema)];
  for (const seg of path) {
    const next: z.ZodTypeAny[] = [];
    for (const s of cur.flatMap(alternatives)) {
      if (s instanceof z.ZodObject) {
        const child = (s.shape as Record<string, z.ZodTypeAny>)[String(seg)];
        if (child && Object.prototype.hasOwnProperty.call(s.shape, String(seg))) next.push(unwrap(child));
      } else if (s instanceof z.ZodArray) next.push(unwrap(s.element));
      else if (s instanceof z.ZodRecord) next.push(unwrap(s.valueSchema));
    }
    cur = next;
  }
  return cur.flatMap(alternatives);
}

function alternatives(s: z.ZodTypeAny): z.ZodTypeAny[] {
  if (s instanceof z.ZodUnion) return (s.options as z.ZodTypeAny[]).map(unwrap).flatMap(alternatives);
  if (s instanceof z.ZodDiscriminatedUnion) return ([...s.options] as z.ZodTypeAny[]).map(unwrap);
  return [s];
}

/** The field names an object at `path` may hold, in schema order (no duplicates). */
export function allowedKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) if (s instanceof z.ZodObject) for (const k of Object.keys(s.shape)) keys.add(k);
  return [...keys];
}

/** " (did you mean ring.hosts?)", " (known: a, b, c)" or "". */
export function unknownFieldHint(prefix: string, key: string, allowed: readonly string[]): string {
  const near = closest(key, allowed);
  // The name is right, but for another kind of this section (another traffic pattern, buffer mode): say so.
  if (near === key) return ' (a field of another kind of this section, not of the one given)';
  if (near !== undefined) return ` (did you mean ${prefix ? `${prefix}.` : ''}${near}?)`;
  if (allowed.length > 0 && allowed.length <= 12) return ` (known: ${allowed.join(', ')})`;
  return '';
}
