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

// The fast path: the same estimate and the same refusals as Walk, without a path, a Walk object or
// any allocation besides Object.keys. -1 means "refused"; inspectPayload then walks again with a
// path to say why (only on failure, so the common case pays one lean walk). An if-chain of
// `typeof x === '…'` tests, not a switch on `typeof x`: V8 compiles each test to a type check
// without building the type's name (about 15% off the walk, bench/PROFILE-NOTES.md section 9).
function sizeOf(value: unknown, json: boolean, inArray: boolean, depth: number, size: number, limit: number): number {
  if (typeof value === 'string') size += value.length + 2;
  else if (typeof value === 'number') {
    if (json && !Number.isFinite(value)) return -1;
    size += 8;
  } else if (typeof value === 'boolean') size += 5;
  else if (typeof value === 'object') {
    if (value === null) size += 4;
    else {
      if (depth >= MAX_DEPTH) return -1;
      size = objectSize(value, json, depth + 1, size, limit);
      if (size < 0) return -1;
    }
  } else if (typeof value === 'undefined') {
    if (json && inArray) return -1;
    size += 1;
  } else if (typeof value === 'bigint') {
    if (json) return -1;
    size += 16;
  } else return -1; // a function or a symbol
  return size > limit ? -1 : size;
}

function objectSize(value: object, json: boolean, depth: number, size: number, limit: number): number {
  if (Array.isArray(value)) {
    size += 2 + value.length;
    for (let i = 0; i < value.length && size >= 0; i++) size = sizeOf(value[i], json, true, depth, size, limit);
    return size;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return specialSize(value, json, depth, size, limit);
  size += 2;
  const record = value as Record<string, unknown>;
  // for-in, not Object.keys: no array per object, and V8's enum cache makes record[key] a fast
  // load (about 30% off the walk at ~10 KB). It would also see enumerable keys inherited from
  // Object.prototype; then it may only refuse too much, and measurePayload's exact walk decides.
  for (const key in record) {
    size = sizeOf(record[key], json, false, depth, size + key.length + 3, limit);
    if (size < 0) return -1;
  }
  return size;
}

/** Binary data, dates, maps, sets and class instances: rare, so checked apart from plain objects. */
function specialSize(value: object, json: boolean, depth: number, size: number, limit: number): number {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return json ? -1 : size + value.byteLength;
  if (value instanceof Date || value instanceof RegExp) return json ? -1 : size + 16;
  if (value instanceof Map) {
    if (json) return -1;
    for (const [key, item] of value) {
      size = sizeOf(key, json, false, depth, size, limit);
      if (size >= 0) size = sizeOf(item, json, false, depth, size, limit);
      if (size < 0) return -1;
    }
    return size;
  }
  if (value instanceof Set) {
    if (json) return -1;
    for (const item of value) if ((size = sizeOf(item, json, false, depth, size, limit)) < 0) return -1;
    return size;
  }
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) return -1;
  size += 2;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    size = sizeOf(record[key], json, false, depth, size + key.length + 3, limit);
    if (size < 0) return -1;
  }
  return size;
}

/**
 * The call path's check: the estimated serialized size of a payload, or why it is refused. One lean
 * walk (payloadSize); only when that refuses does the exact walk with a path run, to say why.
 */
export function measurePayload(value: unknown, limit: number, serialization: Serialization): number | PayloadProblem {
  const size = payloadSize(value, limit, serialization);
  if (size >= 0) return size;
  const walk = new Walk(limit, serialization === 'json');
  walk.visit(value, 0, false);
  return walk.problem ?? walk.size;
}

/**
 * The estimated serialized size of a payload (as {@link inspectPayload} estimates it), or -1 when
 * it may have to be refused: then `measurePayload`'s exact walk decides and says why.
 */
export function payloadSize(value: unknown, limit: number, serialization: Serialization): number {
  // Small primitives, as inspectPayload: never refused for their size.
  if (value === undefined || value === null || typeof value === 'boolean') return 0;
  if (typeof value === 'string') return value.length + 2 > limit ? -1 : value.length + 2;
  if (typeof value === 'number' && (serialization === 'advanced' || Number.isFinite(value))) return 8;
  return sizeOf(value, serialization === 'json', false, 0, 0, limit);
}

/**
 * Payloads at least this large (estimated) carry their size on the wire (`z`), so that the
 * receiver can hold them to its own `maxPayloadBytes` without walking them; smaller ones do not,
 * and a receiver whose limit is below this measures the (small) payload itself.
 */
export const SIZE_STAMP_FLOOR = 1024;

/** The size to stamp on a frame carrying `value`: only objects of at least SIZE_STAMP_FLOOR. */
export function sizeStamp(value: unknown, size: number): number | undefined {
  return size >= SIZE_STAMP_FLOOR && typeof value === 'object' && value !== null ? size : undefined;
}

/**
 * Whether a received payload is larger than `limit`. Cheap by design: a string by its length, an
 * object by the size its sender stamped on the frame (`stamp`); an object without a stamp was
 * under SIZE_STAMP_FLOOR at the sender, so only a receiver whose limit is lower walks it (and the
 * walk stops at the limit). The stamp is the sending library's estimate: it holds a peer with a
 * larger limit to this side's, not a peer that forges frames (IPC has already parsed the message).
 */
export function receivedTooLarge(value: unknown, stamp: number | undefined, limit: number, serialization: Serialization): boolean {
  if (typeof value === 'string') return value.length + 2 > limit;
  if (typeof value !== 'object' || value === null) return false;
  if (stamp !== undefined) return stamp > limit;
  return limit < SIZE_STAMP_FLOOR && payloadSize(value, limit, serialization) < 0 && inspectPayload(value, limit, serialization)?.kind === 'too-large';
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
