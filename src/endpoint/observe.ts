// What an endpoint tells its observers, kept off the call path: the check of the `metrics` and
// `tracing` options, the settling of an outgoing or incoming call (duration, outcome, span), and
// the trace field a call frame carries. Imports the metrics and tracing modules for their types
// and the outcome label only: nothing here loads `@opentelemetry/api`.
import { describe } from '../checks.js';
import { outcomeOf } from '../metrics/outcome.js';
import type { RpcGaugeSource, RpcMetricsHooks } from '../metrics/rpc.js';
import { setTraceField, type CallFrame } from '../protocol/frames.js';
import type { RpcClientSpan, RpcServerSpan, RpcTracing } from '../tracing/types.js';

export { outcomeOf };

const METRICS_HOOKS = ['callSettled', 'callRefused', 'lateReply', 'protocolError', 'peerExited', 'watch'] as const;
const TRACING_HOOKS = ['startClient', 'startServer'] as const;

function checkHooks(where: string, name: string, value: unknown, hooks: readonly string[], made: string): void {
  if (value === undefined) return;
  const missing = typeof value === 'object' && value !== null ? hooks.filter((h) => typeof (value as Record<string, unknown>)[h] !== 'function') : hooks;
  if (missing.length > 0) {
    throw new TypeError(`${where}: ${name} must be the hooks ${made} returns (an object with ${hooks.join(', ')}), got ${describe(value)} without ${missing.join(', ')}`);
  }
}

/** Checks the `metrics` and `tracing` options: absent, or objects with every hook. */
export function checkObservers(where: string, metrics: unknown, tracing: unknown): void {
  checkHooks(where, 'metrics', metrics, METRICS_HOOKS, 'createRpcMetrics(registry)');
  checkHooks(where, 'tracing', tracing, TRACING_HOOKS, 'loadRpcTracing()');
}

/** Starts the CLIENT span of a call about to be sent, and writes its context into the frame. */
export function traceCall(tracing: RpcTracing, frame: CallFrame): RpcClientSpan {
  const span = tracing.startClient(frame.m);
  if (span.field !== undefined) setTraceField(frame, span.field);
  return span;
}

/** An outgoing call, as its observers need it. */
interface SettledCall {
  readonly method: string;
  readonly startedAt: number;
  readonly span: RpcClientSpan | undefined;
}

/** The time of the frames being delivered now (see `deliveryClock`); -1 outside a delivery. */
let deliveredAt = -1;
const SETTLED = Promise.resolve();
const forgetDelivery = (): void => {
  deliveredAt = -1;
};

/**
 * The clock for what arrives: read once per run of frames delivered together (an envelope of many
 * calls or replies), and forgotten once that run's synchronous work is over. So a batch of 500
 * replies reads the clock once instead of 500 times; a frame's arrival is its envelope's.
 */
function deliveryClock(): number {
  if (deliveredAt < 0) {
    deliveredAt = performance.now();
    void SETTLED.then(forgetDelivery);
  }
  return deliveredAt;
}

/** An outgoing call settled: its duration by outcome, and the end of its span. */
export function clientSettled(metrics: RpcMetricsHooks | undefined, call: SettledCall, outcome: string, error: unknown): void {
  metrics?.callSettled(call.method, 'client', outcome, Math.max(0, deliveryClock() - call.startedAt) / 1000);
  call.span?.end(outcome, error);
}

/** What a peer's gauges are read from. */
interface GaugeParts {
  readonly pending: { readonly size: number };
  readonly dispatcher: { readonly size: number; mailboxes(): Iterable<readonly [string, number]> };
  readonly transport: { readonly backlog: number };
}

/** A peer's gauges, read by the metrics at each snapshot (nothing is kept on the call path). */
export function gaugesOf(pending: GaugeParts['pending'], dispatcher: GaugeParts['dispatcher'], transport: GaugeParts['transport']): RpcGaugeSource {
  return {
    inFlight: () => pending.size,
    handling: () => dispatcher.size,
    backlog: () => transport.backlog,
    mailboxes: () => dispatcher.mailboxes(),
  };
}

/** An incoming call, as its observers need it. */
interface ServedCall {
  readonly method: string;
  readonly cancelled: boolean;
  /** Why it was cancelled, once it was. */
  readonly reason: unknown;
  arrivedAt: number;
  span: RpcServerSpan | undefined;
}

/** Stands for "no error" where `undefined` could be what a handler threw. */
export const NO_ERROR: unique symbol = Symbol('no error');

/** An incoming call arrived: its clock starts (the mailbox wait counts), its SERVER span opens. */
export function serverArrived(metrics: RpcMetricsHooks | undefined, tracing: RpcTracing | undefined, call: ServedCall, field: unknown): void {
  if (metrics !== undefined) call.arrivedAt = deliveryClock();
  if (tracing !== undefined) call.span = tracing.startServer(call.method, field);
}

/**
 * An incoming call settled, once: by what its caller sees (`ok`; the library's code when `rpc`;
 * `RPC_REMOTE` for a handler's own error; the cancel's code when the caller gave up or the link closed).
 */
export function serverSettled(metrics: RpcMetricsHooks | undefined, call: ServedCall, error: unknown, rpc: boolean): void {
  const failure = call.cancelled ? call.reason : error === NO_ERROR ? undefined : error;
  const outcome = call.cancelled ? outcomeOf(call.reason) : error === NO_ERROR ? 'ok' : rpc ? outcomeOf(error) : 'RPC_REMOTE';
  metrics?.callSettled(call.method, 'server', outcome, (performance.now() - call.arrivedAt) / 1000);
  call.span?.end(outcome, failure);
}
