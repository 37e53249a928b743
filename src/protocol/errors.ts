// Errors as data: what a callee sends when its handler throws or its library refuses a call, and
// how the caller rebuilds a typed error from it. Pure functions; the wire data is untrusted.
import {
  RpcBusyError,
  RpcClosedError,
  RpcPayloadTooLargeError,
  RpcRemoteError,
  RpcUnknownMethodError,
  RpcUnserializableError,
  RpcValidationError,
  type RpcError,
  type RpcErrorCode,
  type RpcValidationIssue,
} from '../errors.js';
import type { WireError } from './frames.js';

/** An incoming library error's data, read with bounds and sanitized (implemented below). */
export interface WireFields {
  /** The error's message, or `fallback` when it has none. */
  message(fallback: string): string;
  /** A numeric field; 0 when absent or not a number. */
  number(key: string): number;
  /** A field that must be one of `choices`; `fallback` otherwise. */
  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T;
  /** A list of schema issues. */
  issues(key: string): RpcValidationIssue[];
  /** A path of keys. */
  path(key: string): readonly PropertyKey[];
}

/**
 * How one code's error crosses the wire. `fields`: its own fields, which travel as data when the
 * library raised it for a call and are left out when a handler threw it. `rebuild`: for errors a
 * callee's library answers a call with (busy, unknown method …), how the caller makes the same
 * class again for `method`; without it, the caller gets an `RpcRemoteError`.
 */
export interface WireForm {
  readonly fields: readonly string[];
  readonly rebuild?: (method: string, wire: WireFields) => RpcError;
}

/**
 * Each code's wire form: decoding a library error is a lookup here. A new code needs an entry
 * (the type makes that a compile error to forget).
 */
export const WIRE_FORMS: { readonly [K in RpcErrorCode]: WireForm } = Object.freeze({
  RPC_TIMEOUT: { fields: ['method', 'timeout'] },
  RPC_ABORTED: { fields: [] },
  RPC_VALIDATION: {
    fields: ['method', 'side', 'issues'],
    rebuild: (method, w) => new RpcValidationError(method, w.oneOf('side', ['input', 'output', 'event'], 'input'), w.issues('issues')),
  },
  RPC_REMOTE: { fields: ['method'] },
  RPC_UNKNOWN_METHOD: { fields: ['method'], rebuild: (method) => new RpcUnknownMethodError(method) },
  RPC_PEER_EXITED: { fields: [] },
  RPC_NO_WORKER: { fields: [] },
  RPC_BUSY: {
    fields: ['scope', 'limit'],
    rebuild: (method, w) => new RpcBusyError(w.oneOf('scope', ['mailbox', 'in-flight'], 'in-flight'), w.number('limit'), `"${method}" on the other side`),
  },
  RPC_CLOSED: { fields: [], rebuild: (method, w) => new RpcClosedError(`"${method}" was not run: ${w.message('the other side closed')}`) },
  RPC_PAYLOAD_TOO_LARGE: { fields: ['method', 'limit'], rebuild: (method, w) => new RpcPayloadTooLargeError(method, w.number('limit')) },
  RPC_UNSERIALIZABLE: {
    fields: ['method', 'path'],
    rebuild: (method, w) => new RpcUnserializableError(method, w.path('path'), 'the reply cannot cross the wire intact'),
  },
  // The HTTP cluster's own failures never answer a call: they cross as RpcRemoteError.
  RPC_WORKER_START_FAILED: { fields: [] },
  RPC_RELOAD_FAILED: { fields: [] },
  RPC_SCHEDULING_POLICY: { fields: [] },
});


const MAX_CAUSE_DEPTH = 4;
const MAX_TEXT = 16_384;
const MAX_DATA_KEYS = 32;
const SKIPPED_KEYS = new Set(['name', 'message', 'stack', 'code', 'cause', '__proto__', 'constructor', 'prototype']);

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** Keeps a value only if it survives both IPC serializations unchanged. Error path only. */
function portable(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  try {
    const text = JSON.stringify(value);
    return text === undefined || text.length > MAX_TEXT ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function ownData(error: object, skip: ReadonlySet<string>): Record<string, unknown> | undefined {
  let data: Record<string, unknown> | undefined;
  let count = 0;
  for (const key of Object.keys(error)) {
    if (skip.has(key) || SKIPPED_KEYS.has(key)) continue;
    if (++count > MAX_DATA_KEYS) break;
    let value: unknown;
    try {
      value = portable((error as Record<string, unknown>)[key]);
    } catch {
      continue; // a getter that throws
    }
    if (value === undefined) continue;
    data ??= {};
    data[key] = value;
  }
  return data;
}

/** The library errors' own fields: left out of the data of an error a handler threw. */
const RPC_FIELDS: ReadonlySet<string> = new Set(Object.values(WIRE_FORMS).flatMap((form) => form.fields));

/** `String(value)`, for values whose conversion may throw (null prototype, hostile toString). */
function safeString(value: unknown, fallback: string): string {
  try {
    return String(value);
  } catch {
    return fallback;
  }
}

/**
 * Turns anything a handler threw into wire data. `rpc` marks errors this library raised for the
 * call (validation, unknown method, busy …), which the caller rebuilds as the same class. Never
 * throws: whatever was thrown, the caller gets an answer.
 */
export function encodeError(thrown: unknown, rpc = false, depth = 0): WireError {
  try {
    return encode(thrown, rpc, depth);
  } catch {
    return { name: 'NonError', message: 'the handler threw a value that could not be described' };
  }
}

function encode(thrown: unknown, rpc: boolean, depth: number): WireError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const cause = depth < MAX_CAUSE_DEPTH && thrown.cause !== undefined ? encodeError(thrown.cause, false, depth + 1) : undefined;
    const data = ownData(thrown, rpc ? new Set() : RPC_FIELDS);
    return {
      name: clip(safeString(thrown.name, 'Error')),
      message: clip(safeString(thrown.message, '')),
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      // The library's own refusals (busy, unknown method …) need no stack: it would only add
      // bytes to every refused call under overload.
      ...(typeof thrown.stack === 'string' && !rpc ? { stack: clip(thrown.stack) } : {}),
      ...(cause !== undefined ? { cause } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(rpc ? { rpc: true as const } : {}),
    };
  }
  // Not an Error: a string, undefined, a plain object … keep what can be kept.
  let message: string;
  if (typeof thrown === 'string') message = thrown;
  else if (typeof thrown === 'object' && thrown !== null && typeof (thrown as { message?: unknown }).message === 'string') {
    message = (thrown as { message: string }).message;
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(thrown);
    } catch {
      text = undefined;
    }
    message = `a non-Error value was thrown: ${text ?? safeString(thrown, typeof thrown)}`;
  }
  const value = portable(thrown);
  return { name: 'NonError', message: clip(message), ...(value !== undefined ? { data: { thrown: value } } : {}) };
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? clip(value) : fallback;
}

function readData(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // A null-prototype copy: no incoming key can reach Object.prototype through it.
  const data: Record<string, unknown> = Object.create(null);
  let count = 0;
  for (const key of Object.keys(value)) {
    if (++count > MAX_DATA_KEYS) break;
    data[key] = (value as Record<string, unknown>)[key];
  }
  return data;
}

function readIssues(value: unknown): RpcValidationIssue[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 100).map((issue: unknown) => {
    const i = (typeof issue === 'object' && issue !== null ? issue : {}) as Record<string, unknown>;
    const path = Array.isArray(i['path']) ? i['path'].filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : [];
    return { path, message: text(i['message'], 'invalid') };
  });
}

/** Reads a library error's data for its rebuild: every value checked, every string clipped. */
function wireFields(w: Record<string, unknown>, data: Record<string, unknown> | undefined): WireFields {
  const field = (key: string): unknown => data?.[key];
  return {
    message: (fallback) => text(w['message'], fallback),
    number: (key) => Number(field(key)) || 0,
    oneOf: (key, choices, fallback) => {
      const value = field(key);
      return choices.find((choice) => choice === value) ?? fallback;
    },
    issues: (key) => readIssues(field(key)),
    path: (key) => readIssues([{ path: field(key) }])[0]?.path ?? [],
  };
}

/** Rebuilds the error a caller rejects with from untrusted wire data. */
export function decodeError(method: string, wire: unknown, depth = 0): RpcError {
  const w = (typeof wire === 'object' && wire !== null ? wire : {}) as Record<string, unknown>;
  const data = readData(w['data']);
  if (w['rpc'] === true && depth === 0) {
    const code = w['code'];
    // Own keys only: a code such as "__proto__" or "constructor" finds nothing.
    const form = typeof code === 'string' && Object.hasOwn(WIRE_FORMS, code) ? WIRE_FORMS[code as keyof typeof WIRE_FORMS] : undefined;
    if (form?.rebuild !== undefined) return form.rebuild(method, wireFields(w, data));
  }
  const cause = depth < MAX_CAUSE_DEPTH && w['cause'] !== undefined ? decodeError(method, w['cause'], depth + 1) : undefined;
  const code = w['code'];
  const stack = w['stack'];
  return new RpcRemoteError(
    method,
    {
      name: text(w['name'], 'Error'),
      message: text(w['message'], ''),
      code: typeof code === 'string' ? clip(code) : undefined,
      stack: typeof stack === 'string' ? clip(stack) : undefined,
      data,
    },
    cause !== undefined ? { cause } : undefined,
  );
}
