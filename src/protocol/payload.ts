// Checks a payload before it is sent: its estimated serialized size, and, over 'json' IPC, values
// that JSON would change or drop. Pure functions, run on the sending side only.
import { RpcPayloadTooLargeError, RpcUnserializableError, type RpcError } from '../errors.js';

/**
 * Node's two IPC serializations: `'json'` (JSON text) and `'advanced'` (the structured clone
 * algorithm, via `v8.serialize`).
 * @public
 */
export type Serialization = 'json' | 'advanced';

/** Why a payload was refused. */
export type PayloadProblem =
  | { readonly kind: 'too-large' }
  | { readonly kind: 'unserializable'; readonly path: PropertyKey[]; readonly detail: string };

const MAX_DEPTH = 256;

class Walk {
  size = 0;
  problem: PayloadProblem | undefined;
  readonly path: PropertyKey[] = [];
  constructor(
    readonly limit: number,
    readonly json: boolean,
  ) {}

  refuse(detail: string): false {
    this.problem = { kind: 'unserializable', path: [...this.path], detail };
    return false;
  }

  /** Adds `value` to the running size; false stops the walk. */
  visit(value: unknown, depth: number, inArray: boolean): boolean {
    switch (typeof value) {
      case 'string':
        this.size += value.length + 2;
        break;
      case 'number':
        if (this.json && !Number.isFinite(value)) return this.refuse(`${value}, which JSON turns into null`);
        this.size += 8;
        break;
      case 'boolean':
        this.size += 5;
        break;
      case 'undefined':
        if (this.json && inArray) return this.refuse('undefined in an array, which JSON turns into null');
        this.size += 1;
        break;
      case 'bigint':
        if (this.json) return this.refuse('a BigInt, which JSON cannot encode');
        this.size += 16;
        break;
      case 'function':
      case 'symbol':
        return this.refuse(`a ${typeof value}, which no IPC serialization carries`);
      case 'object':
        if (value === null) {
          this.size += 4;
          break;
        }
        if (depth >= MAX_DEPTH) return this.refuse(`nesting deeper than ${MAX_DEPTH} levels (or a cycle)`);
        if (!this.visitObject(value, depth + 1)) return false;
        break;
    }
    if (this.size > this.limit) {
      this.problem = { kind: 'too-large' };
      return false;
    }
    return true;
  }

  visitObject(value: object, depth: number): boolean {
    if (Array.isArray(value)) {
      this.size += 2 + value.length;
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        if (!this.visit(value[i], depth, true)) return false;
        this.path.pop();
      }
      return true;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      if (this.json) return this.refuse(`a ${value.constructor.name}, which JSON cannot carry intact`);
      this.size += value.byteLength;
      return true;
    }
    if (value instanceof Date || value instanceof RegExp) {
      if (this.json) return this.refuse(`a ${value.constructor.name}, which JSON turns into ${value instanceof Date ? 'a string' : '{}'}`);
      this.size += 16;
      return true;
    }
    if (value instanceof Map) {
      if (this.json) return this.refuse('a Map, which JSON turns into {}');
      for (const [key, item] of value) {
        this.path.push(String(key));
        if (!this.visit(key, depth, false) || !this.visit(item, depth, false)) return false;
        this.path.pop();
      }
      return true;
    }
    if (value instanceof Set) {
      if (this.json) return this.refuse('a Set, which JSON turns into {}');
      for (const item of value) if (!this.visit(item, depth, false)) return false;
      return true;
    }
    if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
      return this.refuse(`a ${value.constructor.name}, which no IPC serialization carries`);
    }
    this.size += 2;
    for (const key of Object.keys(value)) {
      this.size += key.length + 3;
      this.path.push(key);
      if (!this.visit((value as Record<string, unknown>)[key], depth, false)) return false;
      this.path.pop();
    }
    return true;
  }
}

/**
 * Checks a payload before sending. Returns `undefined` when it may go, or the problem. The size is
 * an estimate of the serialized form (strings by length, numbers as 8 bytes, binary by byte
 * length), computed in one walk that stops as soon as `limit` is passed.
 */
export function inspectPayload(value: unknown, limit: number, serialization: Serialization): PayloadProblem | undefined {
  // Small primitives are the common case for events and replies: no walk needed.
  if (value === undefined || value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') return value.length + 2 > limit ? { kind: 'too-large' } : undefined;
  if (typeof value === 'number' && (serialization === 'advanced' || Number.isFinite(value))) return undefined;
  const walk = new Walk(limit, serialization === 'json');
  walk.visit(value, 0, false);
  return walk.problem;
}

/** The error a refused payload of `method` (a procedure or event) fails with. */
export function payloadError(method: string, problem: PayloadProblem, limit: number): RpcError {
  return problem.kind === 'too-large' ? new RpcPayloadTooLargeError(method, limit) : new RpcUnserializableError(method, problem.path, problem.detail);
}
