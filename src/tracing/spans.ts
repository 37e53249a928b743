// Spans around calls with OpenTelemetry: a CLIENT span where a call is made, a SERVER span where
// it is handled, the caller's context carried in the call frame. Uses the API only through the
// instance it is given (loaded by otel.ts); the type import is erased from the JavaScript.
import type * as Api from '@opentelemetry/api';
import type { RpcTracing, RpcTracingOptions } from './types.js';
import { encodeTraceField, formatTraceparent, readTraceField, type TraceField } from './trace-context.js';

/** The conventional attribute for a failure's kind (OpenTelemetry semantic conventions). */
const ERROR_TYPE = 'error.type';

function endSpan(api: typeof Api, span: Api.Span, outcome: string, error: unknown): void {
  if (outcome !== 'ok') {
    span.setAttribute(ERROR_TYPE, outcome);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : outcome });
  }
  span.end();
}

/** The W3C `sampled` trace flag. */
const SAMPLED = 0x01;
const noop = (): void => {};
const NO_SPAN = Object.freeze({ field: undefined, end: noop });
const NO_SERVER_SPAN = Object.freeze({ run: <T>(fn: () => T): T => fn(), end: noop });

function fieldOf(sc: Api.SpanContext): TraceField {
  const traceparent = formatTraceparent(sc.traceId, sc.spanId, sc.traceFlags);
  const state = sc.traceState?.serialize();
  return state === undefined || state === '' ? traceparent : encodeTraceField({ traceparent, tracestate: state });
}

/** Builds the hooks over a loaded API. Exported for tests that bring their own API instance. */
export function createRpcTracing(api: typeof Api, options: RpcTracingOptions = {}): RpcTracing {
  const tracer = api.trace.getTracer(options.tracerName ?? 'typed-cluster-rpc');
  const system = options.system ?? 'typed-cluster-rpc';
  const rootSpans = options.rootSpans ?? false;
  const { SpanKind, context, trace, ROOT_CONTEXT } = api;
  return {
    startClient(method) {
      const active = context.active();
      const current = trace.getSpanContext(active);
      if (current === undefined && !rootSpans) return NO_SPAN;
      // Below an unsampled span nothing is recorded (OpenTelemetry's default, parent-based
      // sampling): no span. Its context goes on only where a callee could otherwise start a trace
      // of its own (rootSpans); without that, a callee makes no span for it either way, and the
      // field would cost formatting and bytes on every call.
      // Without rootSpans, an unsampled or invalid context is left at once: checking its validity
      // (two regular expressions) would cost every call of an unsampled request.
      if (current !== undefined && (current.traceFlags & SAMPLED) === 0) {
        if (!rootSpans) return NO_SPAN;
        if (trace.isSpanContextValid(current)) return { field: fieldOf(current), end: noop };
      }
      const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes: { 'rpc.system': system, 'rpc.method': method } }, active);
      const sc = span.spanContext();
      // A span without a valid context (no SDK registered) has nothing to propagate.
      const field = trace.isSpanContextValid(sc) ? fieldOf(sc) : undefined;
      return { field, end: (outcome, error) => endSpan(api, span, outcome, error) };
    },
    startServer(method, field) {
      const carrier = readTraceField(field);
      if (carrier === undefined && !rootSpans) return NO_SERVER_SPAN;
      let parent = ROOT_CONTEXT;
      if (carrier !== undefined) {
        const { traceId, spanId, flags, tracestate } = carrier;
        parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId,
          spanId,
          traceFlags: flags,
          isRemote: true,
          ...(tracestate !== undefined ? { traceState: api.createTraceState(tracestate) } : {}),
        });
        // A caller in an unsampled trace: no span here either. Nested calls keep its context only
        // when they could otherwise start traces of their own (rootSpans): entering a context
        // switches on Node's async-context tracking, which costs every promise after it.
        if ((flags & SAMPLED) === 0) {
          if (!rootSpans) return NO_SERVER_SPAN;
          const unsampled = parent;
          return { run: (fn) => context.with(unsampled, fn), end: noop };
        }
      }
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'rpc.system': system, 'rpc.method': method } }, parent);
      const active = trace.setSpan(parent, span);
      return {
        run: (fn) => context.with(active, fn),
        end: (outcome, error) => endSpan(api, span, outcome, error),
      };
    },
  };
}

