/**
 * typed-cluster-rpc/tracing: OpenTelemetry spans around calls (a CLIENT span where a call is
 * made, a SERVER span where it is handled) and the W3C trace context the call frame carries.
 * `@opentelemetry/api` is an optional peer dependency, loaded only by `loadRpcTracing`.
 *
 * @packageDocumentation
 */
export { loadRpcTracing } from './otel.js';
export type { RpcClientSpan, RpcServerSpan, RpcTracing, RpcTracingOptions } from './types.js';
export { decodeTraceField, encodeTraceField, formatTraceparent, parseTraceparent } from './trace-context.js';
export type { ParsedTraceparent, TraceCarrier, TraceField } from './trace-context.js';
