// The tracing hooks' shape, as the RPC core calls them: what loadRpcTracing returns and what the
// endpoint's call path sees of a span. No code, and nothing of `@opentelemetry/api`.
import type { TraceField } from './trace-context.js';

/**
 * A CLIENT span around one outgoing call.
 * @public
 */
export interface RpcClientSpan {
  /** What the call frame carries (the span's own context), or undefined when there is none to send. */
  readonly field: TraceField | undefined;
  /** Ends the span: `outcome` is `'ok'` or the error code; `error` describes a failure. */
  end(outcome: string, error?: unknown): void;
}

/**
 * A SERVER span around one handled call.
 * @public
 */
export interface RpcServerSpan {
  /** Runs `fn` (the handler) with the span as the active context, so calls it makes are its children. */
  run<T>(fn: () => T): T;
  /** Ends the span: `outcome` is `'ok'` or the error code; `error` describes a failure. */
  end(outcome: string, error?: unknown): void;
}

/**
 * The tracing hooks an endpoint calls: one span per call on each side.
 * @public
 */
export interface RpcTracing {
  /** Starts a CLIENT span named by `method`, a child of the active span (with no active span, see `rootSpans`). */
  startClient(method: string): RpcClientSpan;
  /** Starts a SERVER span named by `method`, a child of the context in the frame's trace field (untrusted; ignored when invalid; without one, see `rootSpans`). */
  startServer(method: string, field: unknown): RpcServerSpan;
}

/**
 * Options of {@link loadRpcTracing}.
 * @public
 */
export interface RpcTracingOptions {
  /**
   * The tracer's name, as OpenTelemetry reports the instrumentation scope.
   * @defaultValue `'typed-cluster-rpc'`
   */
  readonly tracerName?: string;
  /**
   * The `rpc.system` attribute of every span.
   * @defaultValue `'typed-cluster-rpc'`
   */
  readonly system?: string;
  /**
   * Whether calls outside sampled traces are traced too: a call made outside any span starts a
   * trace of its own, a call that arrives without a trace context gets a root SERVER span, and an
   * unsampled context travels on so its sampling decision holds downstream. Off by default: only
   * sampled traces are followed, and background traffic (heartbeats, load reports, timers) or an
   * unsampled request costs only a look at the active context. Set it alike in every process.
   * @defaultValue `false`
   */
  readonly rootSpans?: boolean;
}
