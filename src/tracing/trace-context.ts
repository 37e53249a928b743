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

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
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
  if (typeof value !== 'string' || value.length > MAX_TRACEPARENT) return undefined;
  const m = TRACEPARENT.exec(value);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
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
  const [parent, state] = typeof raw === 'string' ? [raw, undefined] : Array.isArray(raw) && raw.length === 2 ? [raw[0] as unknown, raw[1] as unknown] : [undefined, undefined];
  if (parseTraceparent(parent) === undefined) return undefined;
  const tracestate = checkTracestate(state);
  return tracestate === undefined ? { traceparent: parent as string } : { traceparent: parent as string, tracestate };
}
