// Options of a NATS member: the endpoint's, plus the namespace, side, heartbeats and wire form.
// Resolved once, checked once, frozen. Imports only the contract and endpoint option helpers.
import { checkCount, checkTimeout, describe } from '../checks.js';
import type { Side } from '../endpoint/setup.js';
import { ENDPOINT_DEFAULTS, resolveEndpointOptions, type EndpointOptions, type ResolvedEndpointOptions } from '../endpoint/options.js';
import type { Serialization } from '../protocol/payload.js';

/**
 * Options of `joinNamespace` besides the handlers: the endpoint options every link uses, and
 * those of the namespace.
 * @public
 */
export interface NatsMemberOptions extends EndpointOptions {
  /** The namespace to join: one NATS subject token (letters, digits, `_` and `-`). Members of different namespaces never meet. */
  readonly namespace: string;
  /** Which side of the contract this member serves; it calls the other side's members. */
  readonly side: Side;
  /**
   * A short label other members see in `members()` (a role, a machine name). At most 64 characters.
   * @defaultValue `''`
   */
  readonly label?: string;
  /**
   * Whether this member serves its side: takes calls from the queue group and by id. `false` makes
   * a member that only calls, listens and watches (an admin script): it needs no handlers, never
   * takes a call, and other members leave it out of broadcasts.
   * @defaultValue `true`
   */
  readonly serve?: boolean;
  /**
   * How values travel: `'json'` (JSON text; any NATS client can read it) or `'advanced'` (`v8.serialize`,
   * structured clone: Date, Map, BigInt …; Node processes only). Every member of a namespace must use the same.
   * @defaultValue `'json'`
   */
  readonly serialization?: Serialization;
  /**
   * How often this member announces itself, in milliseconds.
   * @defaultValue `1_000`
   */
  readonly heartbeatInterval?: number;
  /**
   * After how long without a heartbeat another member counts as gone, in milliseconds. Calls
   * pending on it then reject with `RPC_PEER_EXITED`. Must be larger than `heartbeatInterval`.
   * @defaultValue `3_500`
   */
  readonly heartbeatTimeout?: number;
  /**
   * Validate every reply against the procedure's output schema on the caller's side too (a NATS
   * subject is open to every client the server admits).
   * @defaultValue `true`
   */
  readonly validateReplies?: boolean;
  /**
   * What to do when the NATS server announces lame-duck mode: `'drain'` leaves the namespace
   * gracefully; `'ignore'` stays (the client reconnects to another server of the cluster).
   * @defaultValue `'drain'`
   */
  readonly lameDuck?: 'drain' | 'ignore';
  /**
   * How long `drain()` waits for calls in flight before it says goodbye anyway, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly drainTimeout?: number;
  /**
   * The most other members (or senders claiming to be one) this member keeps a link to.
   * @defaultValue `1_024`
   */
  readonly maxMembers?: number;
}

export interface ResolvedNatsOptions {
  readonly endpoint: ResolvedEndpointOptions;
  readonly namespace: string;
  readonly side: Side;
  readonly label: string;
  readonly serve: boolean;
  readonly serialization: Serialization;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly validateReplies: boolean;
  readonly lameDuck: 'drain' | 'ignore';
  readonly drainTimeout: number;
  readonly maxMembers: number;
}

export const NATS_DEFAULTS = Object.freeze({
  label: '',
  serve: true,
  serialization: 'json' as Serialization,
  heartbeatInterval: 1_000,
  heartbeatTimeout: 3_500,
  validateReplies: true,
  lameDuck: 'drain' as const,
  drainTimeout: 10_000,
  maxMembers: 1_024,
});

const OWN_KEYS = ['namespace', 'side', ...Object.keys(NATS_DEFAULTS)];
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

function oneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new TypeError(`${where}: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${describe(value)}`);
  return value as T;
}

/** Resolves the options of `joinNamespace` once; `extraKeys` are the caller's (handlers). */
export function resolveNatsOptions(where: string, options: NatsMemberOptions, extraKeys: readonly string[]): ResolvedNatsOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const all = resolveEndpointOptions(where, options, [...OWN_KEYS, ...extraKeys]);
  const endpoint = Object.freeze(Object.fromEntries(Object.keys(ENDPOINT_DEFAULTS).map((k) => [k, all[k as keyof ResolvedEndpointOptions]]))) as ResolvedEndpointOptions;
  const defined = Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && OWN_KEYS.includes(k)));
  const o = { ...NATS_DEFAULTS, ...defined } as typeof NATS_DEFAULTS & { namespace: unknown; side: unknown };
  if (typeof o.namespace !== 'string' || !TOKEN.test(o.namespace)) {
    throw new TypeError(`${where}: namespace must be 1 to 64 letters, digits, '_' or '-', got ${describe(o.namespace)}`);
  }
  const side = oneOf(where, 'side', o.side, ['primary', 'worker'] as const);
  if (typeof o.label !== 'string' || o.label.length > 64) throw new TypeError(`${where}: label must be a string of at most 64 characters, got ${describe(o.label)}`);
  const serialization = oneOf(where, 'serialization', o.serialization, ['json', 'advanced'] as const);
  const heartbeatInterval = checkTimeout(`${where}: heartbeatInterval`, o.heartbeatInterval);
  const heartbeatTimeout = checkTimeout(`${where}: heartbeatTimeout`, o.heartbeatTimeout);
  if (!Number.isFinite(heartbeatTimeout) || heartbeatTimeout <= heartbeatInterval) {
    throw new TypeError(`${where}: heartbeatTimeout must be finite and larger than heartbeatInterval (${heartbeatInterval} ms), got ${describe(heartbeatTimeout)}`);
  }
  if (typeof o.serve !== 'boolean') throw new TypeError(`${where}: serve must be a boolean, got ${describe(o.serve)}`);
  if (typeof o.validateReplies !== 'boolean') throw new TypeError(`${where}: validateReplies must be a boolean, got ${describe(o.validateReplies)}`);
  return Object.freeze({
    endpoint,
    namespace: o.namespace,
    side,
    label: o.label,
    serve: o.serve,
    serialization,
    heartbeatInterval,
    heartbeatTimeout,
    validateReplies: o.validateReplies,
    lameDuck: oneOf(where, 'lameDuck', o.lameDuck, ['drain', 'ignore'] as const),
    drainTimeout: checkTimeout(`${where}: drainTimeout`, o.drainTimeout),
    maxMembers: checkCount(where, 'maxMembers', o.maxMembers, false),
  });
}
