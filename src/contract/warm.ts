// Warm-up of zod 4 object schemas before the first call: zod compiles a parser for each object
// schema on its first parse (`$ZodObjectJIT`'s fastpass, ~1.3 ms), which otherwise lands on the
// first call. Parsing a Proxy whose traps throw a private sentinel compiles the fastpass, and the
// fastpass's first read of a property (`input[key]`, evaluated before any field schema runs)
// throws: no user code runs (no preprocess, transform, default(fn), refinement, lazy getter).
// Only schemas where that is proven are warmed (see `warmable`, and bench/PROFILE-NOTES.md
// section 9 for the reading of zod's source it rests on). Must not import below the contract layer.

/** The private sentinel the Proxy's traps throw. */
const SENTINEL = Symbol('typed-cluster-rpc warm-up');
const throwing = (): never => {
  throw SENTINEL;
};
const PROBE: object = new Proxy(
  {},
  {
    get: throwing,
    has: throwing,
    ownKeys: throwing,
    getOwnPropertyDescriptor: throwing,
    getPrototypeOf: throwing,
    set: throwing,
    defineProperty: throwing,
    deleteProperty: throwing,
  },
);

/** Object schemas warmed in this process (schemas are shared by every endpoint of a contract). */
const warmed = new WeakSet<object>();
/** Whether a warm-up ever ended other than as proven: then none is tried again in this process. */
let distrusted = false;
/** The most schema nodes one walk looks at; a larger tree is left cold. */
const MAX_NODES = 2_000;

interface ZodInternals {
  readonly def: Record<string, unknown>;
  readonly version?: { readonly major?: unknown };
  readonly run?: unknown;
}

/** A data property's value, never running a getter: `undefined` for an accessor or a missing key. */
function dataOf(object: object, key: PropertyKey): unknown {
  const desc = Object.getOwnPropertyDescriptor(object, key);
  return desc !== undefined && 'value' in desc ? desc.value : undefined;
}

/** `value._zod` of a zod 4 schema, read without running a getter; `undefined` for anything else. */
function zodOf(value: unknown): ZodInternals | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const zod = dataOf(value, '_zod') as ZodInternals | undefined;
  if (typeof zod !== 'object' || zod === null) return undefined;
  const def = dataOf(zod, 'def');
  const version = dataOf(zod, 'version') as ZodInternals['version'];
  if (typeof def !== 'object' || def === null || version?.major !== 4) return undefined;
  return zod;
}

/**
 * An object schema's shape as its author gave it, without running zod's accessor (which spreads
 * it) or any getter of the author's: `undefined` unless every entry is a plain data property.
 */
function rawShape(def: Record<string, unknown>): Record<string, unknown> | undefined {
  const desc = Object.getOwnPropertyDescriptor(def, 'shape');
  if (desc === undefined) return undefined;
  const shape = 'value' in desc ? desc.value : (desc.get as { raw?: unknown } | undefined)?.raw;
  if (typeof shape !== 'object' || shape === null) return undefined;
  for (const key of Reflect.ownKeys(shape)) if (!('value' in Object.getOwnPropertyDescriptor(shape, key)!)) return undefined;
  return shape as Record<string, unknown>;
}

/** The schema-valued children of a node's def: its fields, element, inner types, options. */
function children(def: Record<string, unknown>, shape: Record<string, unknown> | undefined): unknown[] {
  const out: unknown[] = shape === undefined ? [] : Object.values(shape);
  for (const key of Reflect.ownKeys(def)) {
    if (key === 'shape') continue;
    // An accessor in a def (`.default(fn)`'s defaultValue) is never run, here or by zod's warm-up path.
    const value = dataOf(def, key);
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

/**
 * The object schemas under `schema` (itself included) that can be warmed, or none when anything
 * in its tree is outside what was proven: a `lazy` (its getter is the author's code), a getter in
 * a shape or def, a cycle, or a tree larger than MAX_NODES.
 */
export function warmable(schema: unknown): object[] {
  const found: object[] = [];
  const seen = new Set<object>();
  const onPath = new Set<object>();
  const visit = (node: unknown): boolean => {
    const zod = zodOf(node);
    if (zod === undefined) return true; // not a schema: a check, a literal value, a function of a transform
    if (onPath.has(node as object)) return false; // a cycle
    if (seen.has(node as object)) return true;
    if (seen.size >= MAX_NODES) return false;
    seen.add(node as object);
    const type = zod.def['type'];
    if (type === 'lazy') return false;
    const shape = type === 'object' ? rawShape(zod.def) : undefined;
    if (type === 'object' && shape === undefined) return false;
    onPath.add(node as object);
    for (const kid of children(zod.def, shape)) if (!visit(kid)) return false;
    onPath.delete(node as object);
    if (type === 'object' && typeof zod.run === 'function') found.push(node as object);
    return true;
  };
  return visit(schema) ? found : [];
}

/**
 * Compiles one object schema's parser by parsing the throwing Proxy. True when it ended as
 * proven (the sentinel, or a result without reading anything); any other outcome stops every
 * later warm-up in this process, and is not thrown (a warm-up must never fail a process).
 */
export function warmObjectSchema(schema: object): boolean {
  if (distrusted || warmed.has(schema)) return !distrusted;
  warmed.add(schema);
  const zod = (schema as { _zod: { run: (payload: unknown, ctx: unknown) => unknown } })._zod;
  try {
    const result = zod.run({ value: PROBE, issues: [] }, { async: false });
    if (result instanceof Promise) {
      distrusted = true;
      result.catch(() => undefined);
    }
  } catch (error) {
    if (error !== SENTINEL) distrusted = true;
  }
  return !distrusted;
}
