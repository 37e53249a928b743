// Endpoint options: their defaults in one frozen object, resolved and checked once at construction.
import { checkBoolean, checkCount, checkOneOf, checkOptions, checkTimeout } from '../checks.js';
import type { RpcMetricsHooks } from '../metrics/rpc.js';
import type { RpcTracing } from '../tracing/types.js';
import { checkObservers } from './observe.js';

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
   * The largest payload (input, output or event) this endpoint sends or accepts, as an estimate of
   * its serialized size in bytes. A larger one fails with `RPC_PAYLOAD_TOO_LARGE` before it is
   * sent; one received from a peer with a larger limit is refused before any handler or listener
   * sees it (the caller gets `RPC_PAYLOAD_TOO_LARGE`) and reported once to the 'error' listener.
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
   * Who validates a call's output: the callee only, or the caller too, so that a reply changed on
   * the way (a value the serialization turned into something else, a peer on another version of
   * the contract) fails with `RPC_VALIDATION` (`where: 'output'`) instead of reaching the caller's
   * code. The caller checks the reply as received and resolves with it unchanged; the output
   * schema must accept its own output (true of schemas without transforms).
   * @defaultValue `'callee'`
   */
  readonly validateOutput?: 'callee' | 'both';
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
  /**
   * The RPC instruments this endpoint feeds: `createRpcMetrics(registry)` from
   * `typed-cluster-rpc/metrics`. Absent: no metrics, and one `undefined` check per site.
   * @defaultValue `undefined`
   */
  readonly metrics?: RpcMetricsHooks | undefined;
  /**
   * The span hooks this endpoint calls: `await loadRpcTracing()` from `typed-cluster-rpc/tracing`
   * (a CLIENT span per call made, a SERVER span per call served, the trace context in the frame).
   * Absent: no tracing.
   * @defaultValue `undefined`
   */
  readonly tracing?: RpcTracing | undefined;
}

/** Options with every default filled in. */
export type ResolvedEndpointOptions = Required<Omit<EndpointOptions, 'metrics' | 'tracing'>> & {
  readonly metrics: RpcMetricsHooks | undefined;
  readonly tracing: RpcTracing | undefined;
};

export const ENDPOINT_DEFAULTS: ResolvedEndpointOptions = Object.freeze({
  timeout: 30_000,
  maxInFlight: 10_000,
  maxPayloadBytes: 8 * 1024 * 1024,
  validateInput: 'callee',
  validateOutput: 'callee',
  concurrency: Infinity,
  maxQueue: 1_000,
  captureCallStack: false,
  metrics: undefined,
  tracing: undefined,
});

/** Resolves endpoint options once: defaults filled, every value checked. Extra keys are the caller's. */
export function resolveEndpointOptions(where: string, options: EndpointOptions, extraKeys: readonly string[] = []): ResolvedEndpointOptions {
  const o: ResolvedEndpointOptions = { ...ENDPOINT_DEFAULTS, ...checkOptions(where, options, ENDPOINT_DEFAULTS, extraKeys) };
  checkTimeout(where, o.timeout);
  checkCount(where, 'maxInFlight', o.maxInFlight, false);
  checkCount(where, 'maxPayloadBytes', o.maxPayloadBytes, true);
  checkCount(where, 'concurrency', o.concurrency, true);
  checkCount(where, 'maxQueue', o.maxQueue, true, true);
  checkOneOf(where, 'validateInput', o.validateInput, ['callee', 'both']);
  checkOneOf(where, 'validateOutput', o.validateOutput, ['callee', 'both']);
  checkBoolean(where, 'captureCallStack', o.captureCallStack);
  checkObservers(where, o.metrics, o.tracing);
  return Object.freeze(o);
}
