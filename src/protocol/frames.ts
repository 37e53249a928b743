// The wire: envelope and frame shapes, and the guard that reads untrusted frames.
// Pure functions. Must not import the transport, endpoint or cluster layers.
import type { TraceField } from '../tracing/trace-context.js';
import type { Serialization } from './payload.js';

/** The key that marks an IPC message as ours; its value is the protocol version. */
export const ENVELOPE_TAG = '~crpc';
/** The protocol version this build speaks. */
export const PROTOCOL_VERSION = 1;
/** The most frames one received envelope may hold; more is treated as malformed. */
export const MAX_FRAMES_PER_ENVELOPE = 65_536;
const MAX_ID_LENGTH = 64;
const MAX_NAME_LENGTH = 128;

/**
 * One IPC message: a batch of frames produced in the same tick. `h` marks a handshake: 1 says
 * "I am listening now", 2 answers it. Neither side sends frames before it has heard the other,
 * because a process drops IPC messages that arrive before it listens.
 *
 * A handshake also carries `c`, a Date: the channel's serialization turns it into a string
 * (`'json'`) or keeps it a Date (`'advanced'`), so the receiver learns what the channel really
 * carries, whatever either side was told. Both forms are readable in either mode.
 */
export interface Envelope {
  readonly [ENVELOPE_TAG]: number;
  readonly f: readonly Frame[];
  readonly h?: 1 | 2;
  readonly c?: Date;
}

/** A request: run procedure `m` with payload `p`, reply to id `i`. */
export interface CallFrame {
  readonly k: 'call';
  readonly i: string;
  readonly m: string;
  /** The caller's W3C trace context, when it traces the call (untrusted on receipt: see tracing/trace-context.ts). */
  readonly c?: unknown;
  readonly p?: unknown;
  /** The sender's estimate of `p`'s serialized size, stamped on large object payloads (see payload.ts). */
  readonly z?: number;
}
/** A successful reply to call `i`. */
export interface OkFrame {
  readonly k: 'ok';
  readonly i: string;
  readonly p?: unknown;
  /** The sender's estimate of `p`'s serialized size, stamped on large object payloads (see payload.ts). */
  readonly z?: number;
}
/** A failed reply to call `i`. */
export interface ErrFrame {
  readonly k: 'err';
  readonly i: string;
  readonly e: WireError;
}
/** The caller gave up on call `i` (`r`: why); the callee aborts its handler. */
export interface CancelFrame {
  readonly k: 'cancel';
  readonly i: string;
  readonly r: 'timeout' | 'abort';
  /** With `r: 'timeout'`: the timeout that elapsed, in milliseconds. */
  readonly t?: number;
}
/** A one-way event `m` with payload `p`. */
export interface EventFrame {
  readonly k: 'event';
  readonly m: string;
  readonly p?: unknown;
  /** The sender's estimate of `p`'s serialized size, stamped on large object payloads (see payload.ts). */
  readonly z?: number;
}
/** The sender closed its endpoint; calls to it will not be answered. */
export interface ByeFrame {
  readonly k: 'bye';
}

export type Frame = CallFrame | OkFrame | ErrFrame | CancelFrame | EventFrame | ByeFrame;

/** An error as data. `rpc` marks errors the callee's library raised (not its handler). */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
  readonly cause?: WireError;
  readonly data?: Record<string, unknown>;
  readonly rpc?: true;
}

export function envelope(frames: readonly Frame[]): Envelope {
  return { [ENVELOPE_TAG]: PROTOCOL_VERSION, f: frames };
}

export function handshake(step: 1 | 2): Envelope {
  return { [ENVELOPE_TAG]: PROTOCOL_VERSION, f: [], h: step, c: new Date(0) };
}

/** An opened envelope: its untrusted frames, and its handshake step if it is one. */
export interface Opened {
  readonly frames: readonly unknown[];
  readonly handshake: 1 | 2 | undefined;
  /** On a handshake: the serialization the channel applied to its probe, when recognisable. */
  readonly channel: Serialization | undefined;
}

/** What the channel did to a handshake's probe Date: kept it (`'advanced'`) or made it a string (`'json'`). */
function channelOf(probe: unknown): Serialization | undefined {
  if (probe instanceof Date) return 'advanced';
  return typeof probe === 'string' ? 'json' : undefined;
}

/**
 * Reads an incoming IPC message. `undefined`: not ours (a user's or another library's message),
 * to be ignored. A string: ours but malformed, to be reported. Otherwise the frames, still
 * untrusted one by one.
 */
export function openEnvelope(message: unknown): Opened | string | undefined {
  if (typeof message !== 'object' || message === null || !Object.hasOwn(message, ENVELOPE_TAG)) return undefined;
  const version = (message as Record<string, unknown>)[ENVELOPE_TAG];
  if (version !== PROTOCOL_VERSION) return `protocol version ${String(version)} is not supported (this side speaks ${PROTOCOL_VERSION})`;
  const frames = (message as Record<string, unknown>)['f'];
  if (!Array.isArray(frames)) return 'envelope without a frame list';
  if (frames.length > MAX_FRAMES_PER_ENVELOPE) return `envelope with ${frames.length} frames (at most ${MAX_FRAMES_PER_ENVELOPE})`;
  const h = (message as Record<string, unknown>)['h'];
  if (h !== 1 && h !== 2) return { frames, handshake: undefined, channel: undefined };
  return { frames, handshake: h, channel: channelOf(Object.hasOwn(message, 'c') ? (message as Record<string, unknown>)['c'] : undefined) };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** A size stamp, when present, is a finite count of bytes. */
function badSize(f: Record<string, unknown>): boolean {
  const z = f['z'];
  // Most frames carry no stamp: one load that misses; only a present one is checked for ownership.
  if (z === undefined || !Object.hasOwn(f, 'z')) return false;
  return typeof z !== 'number' || !(z >= 0) || z === Infinity;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}

/**
 * Checks one untrusted frame's shape. Returns the frame, or a string saying what is wrong. Only own
 * properties are read, so a `__proto__` or `constructor` key in the message is just data.
 */
export function readFrame(raw: unknown): Frame | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'frame is not an object';
  const f = raw as Record<string, unknown>;
  const kind = Object.hasOwn(f, 'k') ? f['k'] : undefined;
  switch (kind) {
    case 'call':
      if (!isId(f['i'])) return 'call frame with a bad id';
      if (!isName(f['m'])) return 'call frame with a bad method name';
      if (badSize(f)) return 'call frame with a bad size';
      return raw as CallFrame;
    case 'ok':
      if (!isId(f['i'])) return 'reply frame with a bad id';
      if (badSize(f)) return 'reply frame with a bad size';
      return raw as OkFrame;
    case 'err':
      if (!isId(f['i'])) return 'error frame with a bad id';
      return raw as ErrFrame;
    case 'cancel':
      if (!isId(f['i'])) return 'cancel frame with a bad id';
      return raw as CancelFrame;
    case 'event':
      if (!isName(f['m'])) return 'event frame with a bad event name';
      if (badSize(f)) return 'event frame with a bad size';
      return raw as EventFrame;
    case 'bye':
      return raw as ByeFrame;
    default:
      return `unknown frame kind ${typeof kind === 'string' ? JSON.stringify(kind.slice(0, 32)) : typeof kind}`;
  }
}

// The frame constructors: every frame this library sends is built here, next to its type, so the
// wire's keys are written in one file. Each kind keeps one object shape (no key set to undefined),
// which keeps the send path monomorphic.

/** A call frame; a call without input carries no `p`. */
export function callFrame(id: string, method: string, input: unknown, size?: number): CallFrame {
  if (size !== undefined) return { k: 'call', i: id, m: method, p: input, z: size };
  return input === undefined ? { k: 'call', i: id, m: method } : { k: 'call', i: id, m: method, p: input };
}

/** A successful reply; a reply without value carries no `p`. */
export function okFrame(id: string, value: unknown, size?: number): OkFrame {
  if (size !== undefined) return { k: 'ok', i: id, p: value, z: size };
  return value === undefined ? { k: 'ok', i: id } : { k: 'ok', i: id, p: value };
}

/** A failed reply carrying an error already turned into data. */
export function errFrame(id: string, error: WireError): ErrFrame {
  return { k: 'err', i: id, e: error };
}

/** The caller gave up: on its timeout (`timeout`: the one that elapsed, in ms) or by aborting. */
export function cancelFrame(id: string, timeout?: number): CancelFrame {
  return timeout === undefined ? { k: 'cancel', i: id, r: 'abort' } : { k: 'cancel', i: id, r: 'timeout', t: timeout };
}

/** A one-way event; an event without payload carries no `p`. */
export function eventFrame(name: string, payload: unknown, size?: number): EventFrame {
  if (size !== undefined) return { k: 'event', m: name, p: payload, z: size };
  return payload === undefined ? { k: 'event', m: name } : { k: 'event', m: name, p: payload };
}

/** The one goodbye frame: it carries nothing, so it is shared. */
export const BYE_FRAME: ByeFrame = Object.freeze({ k: 'bye' });

/**
 * Writes the caller's trace context into a call frame before it is sent (under `c`, the
 * tracing module's `TRACE_FIELD_KEY`). Only traced calls get the field; a peer without tracing
 * ignores it.
 */
export function setTraceField(frame: CallFrame, field: TraceField): void {
  (frame as { c?: TraceField }).c = field;
}
