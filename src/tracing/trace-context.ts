// W3C Trace Context (traceparent, tracestate) as the call frame carries it. Pure; the value comes
// from an untrusted peer, so it is checked and bounded, and a bad one is ignored, never thrown.

/**
 * A trace context as W3C Trace Context headers carry it.
 * @public
 */
export interface TraceCarrier {
  /** `version-traceid-parentid-flags`, such as `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  readonly traceparent: string;
  /** Vendor entries, `key=value` separated by commas; absent when empty or invalid. */
  readonly tracestate?: string;
}

/**
 * The optional field of a call frame that carries the caller's trace context: the traceparent
 * alone, or `[traceparent, tracestate]`. A peer that does not know it ignores it.
 * @public
 */
export type TraceField = string | readonly [string, string];

/** The key the call frame carries the trace field under (next to `k`, `i`, `m`, `p`). */
export const TRACE_FIELD_KEY = 'c';

const MAX_TRACEPARENT = 256;
const MAX_TRACESTATE = 512;
const MAX_TRACESTATE_MEMBERS = 32;
const MEMBER = /^[a-z0-9][_0-9a-z\-*/]{0,255}(@[a-z][_0-9a-z\-*/]{0,13})?=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * A traceparent's parts, once checked.
 * @public
 */
export interface ParsedTraceparent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The parent span: 16 lower-case hex digits, not all zero. */
  readonly spanId: string;
  /** The trace flags; bit 0 is `sampled`. */
  readonly flags: number;
}

/**
 * Reads a traceparent by the W3C rules: lower-case hex, version `ff` refused, a trace or parent id
 * of all zeros refused; a version above `00` may carry more fields, which are ignored. Returns
 * undefined for anything invalid.
 * @public
 */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  // Checked by hand, character by character: a regular expression with captures costs several
  // times more, and this runs for every incoming call.
  if (typeof value !== 'string' || value.length < 55 || value.length > MAX_TRACEPARENT) return undefined;
  if (value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return undefined;
  if (!isHex(value, 0, 2) || !isHex(value, 3, 35) || !isHex(value, 36, 52) || !isHex(value, 53, 55)) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff' || (value.length > 55 && (version === '00' || value.charCodeAt(55) !== DASH))) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags: Number.parseInt(value.slice(53, 55), 16) };
}

const DASH = 0x2d;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Whether `text[from, to)` is lower-case hex. */
function isHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * Formats a version-00 traceparent.
 * @public
 */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Keeps a tracestate only when every member is well formed and it is within the W3C bounds. */
export function checkTracestate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TRACESTATE) return undefined;
  const members = value.split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  if (members.length === 0 || members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  if (!members.every((m) => MEMBER.test(m))) return undefined;
  return members.join(',');
}

/**
 * The frame field for a carrier: the traceparent alone when there is no tracestate.
 * @public
 */
export function encodeTraceField(carrier: TraceCarrier): TraceField {
  const state = carrier.tracestate === undefined ? undefined : checkTracestate(carrier.tracestate);
  return state === undefined ? carrier.traceparent : [carrier.traceparent, state];
}

/**
 * Reads the frame field from an untrusted peer. Returns undefined when it is absent or its
 * traceparent is invalid; an invalid tracestate is dropped and the traceparent kept, as the W3C
 * specification says.
 * @public
 */
export function decodeTraceField(raw: unknown): TraceCarrier | undefined {
  const read = readTraceField(raw);
  if (read === undefined) return undefined;
  return read.tracestate === undefined ? { traceparent: read.traceparent } : { traceparent: read.traceparent, tracestate: read.tracestate };
}

/** `decodeTraceField`, with the traceparent's parts. Runs for every incoming call: kept plain. */
export function readTraceField(raw: unknown): TraceFieldRead | undefined {
  let parent: unknown;
  let state: unknown;
  if (typeof raw === 'string') parent = raw;
  else if (Array.isArray(raw) && raw.length === 2) {
    parent = raw[0];
    state = raw[1];
  } else return undefined;
  const parsed = parseTraceparent(parent);
  if (parsed === undefined) return undefined;
  return new TraceFieldRead(parsed.traceId, parsed.spanId, parsed.flags, parent as string, state === undefined ? undefined : checkTracestate(state));
}

/** What `readTraceField` found. */
export class TraceFieldRead implements ParsedTraceparent {
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly flags: number,
    readonly traceparent: string,
    readonly tracestate: string | undefined,
  ) {}
}
