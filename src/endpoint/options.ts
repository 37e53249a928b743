// Endpoint options: their defaults in one frozen object, resolved and checked once at construction.
import { describe } from '../contract/contract.js';

/**
 * Options of an endpoint (the primary's hub, or a worker's link to the primary).
 * @public
 */
export interface EndpointOptions {
  /**
   * How long a call waits for its reply before rejecting with `RPC_TIMEOUT`, in milliseconds.
   * `Infinity` disables it. Each call may override it.
   * @defaultValue `30_000`
   */
  readonly timeout?: number;
  /**
   * The most calls this endpoint may have in flight in each direction (per worker, on the
   * primary): past it an outgoing call rejects, and an incoming one is answered, with `RPC_BUSY`.
   * @defaultValue `10_000`
   */
  readonly maxInFlight?: number;
  /**
   * The largest payload (input, output or event) this endpoint sends, as an estimate of its
   * serialized size in bytes. A larger one fails with `RPC_PAYLOAD_TOO_LARGE` before it is sent.
   * @defaultValue `8 * 1024 * 1024`
   */
  readonly maxPayloadBytes?: number;
  /**
   * Who validates a call's input: the callee only, or the caller too, so that a bad call fails
   * without crossing IPC.
   * @defaultValue `'callee'`
   */
  readonly validateInput?: 'callee' | 'both';
  /**
   * How many incoming calls run at once. `1` gives actor semantics: one call at a time, in
   * arrival order. A handler entry may set its own.
   * @defaultValue `Infinity`
   */
  readonly concurrency?: number;
  /**
   * How many incoming calls may wait when `concurrency` is finite; past it a call is answered
   * with `RPC_BUSY`.
   * @defaultValue `1_000`
   */
  readonly maxQueue?: number;
  /**
   * Capture the stack where each call starts, so that a timeout or a remote error points at the
   * line that made the call instead of at a timer or the IPC listener. Off by default: a stack
   * capture costs several microseconds per call (7 to 10 µs measured on the 2-core CI machine),
   * more than the rest of the call path. Turn it on while debugging.
   * @defaultValue `false`
   */
  readonly captureCallStack?: boolean;
}

/** Options with every default filled in. */
export type ResolvedEndpointOptions = Required<EndpointOptions>;

export const ENDPOINT_DEFAULTS: ResolvedEndpointOptions = Object.freeze({
  timeout: 30_000,
  maxInFlight: 10_000,
  maxPayloadBytes: 8 * 1024 * 1024,
  validateInput: 'callee',
  concurrency: Infinity,
  maxQueue: 1_000,
  captureCallStack: false,
});

/** Checks a duration in milliseconds: positive, or Infinity. */
export function checkTimeout(where: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new TypeError(`${where}: timeout must be a positive number of milliseconds or Infinity, got ${describe(value)}`);
  }
  return value;
}

/** Checks a count: a positive integer, or Infinity where allowed. */
export function checkCount(where: string, name: string, value: unknown, allowInfinity: boolean, allowZero = false): number {
  const ok =
    typeof value === 'number' &&
    ((Number.isInteger(value) && (allowZero ? value >= 0 : value > 0)) || (allowInfinity && value === Infinity));
  if (!ok) {
    throw new TypeError(`${where}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer${allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`);
  }
  return value;
}

const KNOWN = new Set(Object.keys(ENDPOINT_DEFAULTS));

/** Resolves endpoint options once: defaults filled, every value checked. Extra keys are the caller's. */
export function resolveEndpointOptions(where: string, options: EndpointOptions, extraKeys: readonly string[] = []): ResolvedEndpointOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key) && !extraKeys.includes(key)) throw new TypeError(`${where}: unknown option "${key}"`);
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: ResolvedEndpointOptions = { ...ENDPOINT_DEFAULTS, ...defined };
  checkTimeout(where, o.timeout);
  checkCount(where, 'maxInFlight', o.maxInFlight, false);
  checkCount(where, 'maxPayloadBytes', o.maxPayloadBytes, true);
  checkCount(where, 'concurrency', o.concurrency, true);
  checkCount(where, 'maxQueue', o.maxQueue, true, true);
  if (o.validateInput !== 'callee' && o.validateInput !== 'both') {
    throw new TypeError(`${where}: validateInput must be 'callee' or 'both', got ${describe(o.validateInput)}`);
  }
  if (typeof o.captureCallStack !== 'boolean') throw new TypeError(`${where}: captureCallStack must be a boolean, got ${describe(o.captureCallStack)}`);
  return Object.freeze(o);
}
