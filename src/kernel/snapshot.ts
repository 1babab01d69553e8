// The state of a model as data, for checkpoints. A host is built from its
// scenario the same way every time, so its construction-time objects can be
// numbered by a deterministic walk from its roots (stamp); later they are
// written as their current fields, objects made at run time (runs, ACK
// batches, events, typed arrays a queue grew) by value, with shared identity
// kept. Resuming builds the host again, numbers the new objects with the same
// walk and overlays the saved fields onto them; functions are the rebuilt
// ones (a model keeps no state in closures — the kernel's timers and the work
// items are data too). A runtime object of a class the codec does not know is
// an error: it would not come back.

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Encoded value: primitives as they are, else one of the tagged forms. */
export type Enc =
  | null
  | boolean
  | number
  | string
  | { $u: 1 }
  | { $r: number }
  | { $l: number }
  | { $fn: 1 }
  | { $k: 1 }
  | { $o: number; a: Enc[] }
  | { $o: number; p: [string, Enc][] }
  | { $o: number; m: [Enc, Enc][] }
  | { $o: number; s: Enc[] }
  | { $o: number; ta: string; v: number[] };

const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'] as const;
const TYPED_CTORS: Record<string, any> = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array };

function typedName(x: unknown): string | null {
  if (!ArrayBuffer.isView(x) || x instanceof DataView) return null;
  const n = (x as object).constructor.name;
  return (TYPED as readonly string[]).includes(n) ? n : null;
}

/** Objects the walk does not enter (the kernel, shared services): they are not part of a host's state. */
export type Opaque = (x: object) => boolean;

/** Own data properties of an object, in insertion order (accessors are not state). */
function dataKeys(o: object): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k)!;
    if ('value' in d) out.push(k);
  }
  return out;
}

/** Numbers the objects reachable from `roots` in a fixed order (depth-first, keys in insertion order). */
export function stamp(roots: readonly unknown[], opaque: Opaque): object[] {
  const seen = new Set<object>();
  const order: object[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return; // functions are not entered: closures are rebuilt
    const o = v as object;
    if (seen.has(o) || opaque(o)) return;
    seen.add(o);
    order.push(o);
    if (typedName(o)) return;
    if (Array.isArray(o)) {
      for (const x of o) visit(x);
    } else if (o instanceof Map) {
      for (const [k, x] of o) {
        visit(k);
        visit(x);
      }
    } else if (o instanceof Set) {
      for (const x of o) visit(x);
    } else if (o instanceof WeakMap || o instanceof WeakSet) {
      // caches: rebuilt empty
    } else {
      for (const k of dataKeys(o)) visit((o as any)[k]);
    }
  };
  for (const r of roots) visit(r);
  return order;
}

export class SnapshotError extends Error {}

/** Writes the stamped objects' current fields; runtime objects inline by value with identity. */
export class Encoder {
  private readonly ids = new Map<object, number>();
  private readonly local = new Map<object, number>();

  constructor(
    readonly stamped: readonly object[],
    private readonly opaque: Opaque,
    private readonly describe: (o: object) => string = (o) => o.constructor?.name ?? 'object',
  ) {
    stamped.forEach((o, i) => this.ids.set(o, i));
  }

  /** The fields of every stamped object, in stamp order. */
  objects(): Enc[] {
    return this.stamped.map((o, i) => this.body(o, -1, `${this.describe(o)}#${i}`));
  }

  /**
   * `inStamped`: a field of a construction-time object, where a reference to
   * the kernel or shared configuration is the one the rebuild makes ($k).
   */
  value(v: unknown, path = '?', inStamped = false): Enc {
    if (v === undefined) return { $u: 1 };
    if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v as Enc;
    if (typeof v === 'function') return { $fn: 1 };
    if (typeof v !== 'object') throw new SnapshotError(`cannot checkpoint a ${typeof v} at ${path}`);
    const o = v as object;
    const id = this.ids.get(o);
    if (id !== undefined) return { $r: id };
    if (this.opaque(o)) {
      if (inStamped) return { $k: 1 };
      throw new SnapshotError(`a runtime reference to ${this.describe(o)} at ${path} cannot be checkpointed`);
    }
    const l = this.local.get(o);
    if (l !== undefined) return { $l: l };
    const proto = Object.getPrototypeOf(o);
    const plain = proto === Object.prototype || proto === null || Array.isArray(o) || o instanceof Map || o instanceof Set || typedName(o) !== null;
    if (!plain) throw new SnapshotError(`${this.describe(o)} made at run time (at ${path}) cannot be checkpointed: build it with the host`);
    const n = this.local.size;
    this.local.set(o, n);
    return this.body(o, n, path);
  }

  private body(o: object, localId: number, path = '?'): Enc {
    const st = localId < 0;
    const ta = typedName(o);
    if (ta) return { $o: localId, ta, v: Array.from(o as unknown as ArrayLike<number>) };
    if (Array.isArray(o)) return { $o: localId, a: o.map((x, i) => this.value(x, `${path}[${i}]`, st)) };
    if (o instanceof Map) return { $o: localId, m: [...o].map(([k, x]) => [this.value(k, `${path}.key`, st), this.value(x, `${path}.get`, st)]) };
    if (o instanceof Set) return { $o: localId, s: [...o].map((x) => this.value(x, `${path}.has`, st)) };
    if (o instanceof WeakMap || o instanceof WeakSet) return { $o: localId, p: [] };
    return { $o: localId, p: dataKeys(o).map((k) => [k, this.value((o as any)[k], `${path}.${k}`, st)]) };
  }
}

/** Overlays saved fields onto freshly built (and identically stamped) objects. */
export class Decoder {
  private readonly local = new Map<number, object>();

  constructor(readonly stamped: readonly object[]) {}

  /** Restore every stamped object's fields from `bodies` (from Encoder.objects()). */
  objects(bodies: readonly Enc[]): void {
    if (bodies.length !== this.stamped.length) {
      throw new SnapshotError(`the rebuilt model has ${this.stamped.length} objects where the checkpoint has ${bodies.length}: another scenario or another version`);
    }
    // Two passes: first make the runtime objects referenced anywhere exist, then fill fields.
    bodies.forEach((b, i) => this.fill(this.stamped[i]!, b as any));
  }

  value(e: Enc, keep?: unknown): unknown {
    if (e === null || typeof e !== 'object') return e;
    if ('$u' in e) return undefined;
    if ('$fn' in e || '$k' in e) return keep;
    if ('$r' in e) {
      const o = this.stamped[e.$r];
      if (!o) throw new SnapshotError(`reference to object ${e.$r} beyond the model's ${this.stamped.length}`);
      return o;
    }
    if ('$l' in e) {
      const o = this.local.get(e.$l);
      if (!o) throw new SnapshotError(`reference to runtime object ${e.$l} before its definition`);
      return o;
    }
    const b = e as any;
    let o: any;
    if ('ta' in b) o = new TYPED_CTORS[b.ta](b.v);
    else if ('a' in b) o = [];
    else if ('m' in b) o = new Map();
    else if ('s' in b) o = new Set();
    else o = {};
    if (b.$o >= 0) this.local.set(b.$o, o);
    if (!('ta' in b)) this.fill(o, b);
    return o;
  }

  private fill(o: any, b: any): void {
    if ('ta' in b) {
      if (o.length !== b.v.length) throw new SnapshotError(`typed array of ${o.length} where the checkpoint has ${b.v.length}`);
      o.set(b.v);
      return;
    }
    if ('a' in b) {
      const old = o.slice();
      o.length = 0;
      b.a.forEach((x: Enc, i: number) => o.push(this.value(x, old[i])));
      return;
    }
    if ('m' in b) {
      o.clear();
      for (const [k, x] of b.m) o.set(this.value(k), this.value(x));
      return;
    }
    if ('s' in b) {
      o.clear();
      for (const x of b.s) o.add(this.value(x));
      return;
    }
    const keys = new Set<string>();
    for (const [k, x] of b.p as [string, Enc][]) {
      keys.add(k);
      const cur = o[k];
      const v = this.value(x, cur);
      if (v !== cur || !(k in o)) o[k] = v;
    }
    // Fields the saved object did not have (set later in the original run's life, or deleted) go.
    for (const k of dataKeys(o)) if (!keys.has(k) && typeof o[k] !== 'function') delete o[k];
  }
}
