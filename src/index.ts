/**
 * Typed, validated request/response RPC between the primary and the workers of a `node:cluster`:
 * contracts, calls with timeouts and cancellation, broadcast, events and actor-style mailboxes.
 *
 * @packageDocumentation
 */
// The public surface of typed-cluster-rpc: explicit named exports only.
export { defineContract, RESERVED_EVENT_NAMES } from './contract/contract.js';
export type {
  CallInput,
  CallOutput,
  Contract,
  ContractDef,
  EventInput,
  EventMap,
  EventOutput,
  HandlerInput,
  HandlerOutput,
  ProcedureDef,
  ProcedureMap,
} from './contract/contract.js';
export {
  ErrorCodes,
  RpcAbortedError,
  RpcBusyError,
  RpcClosedError,
  RpcError,
  RpcNoWorkerError,
  RpcPayloadTooLargeError,
  RpcPeerExitedError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnknownMethodError,
  RpcUnserializableError,
  RpcValidationError,
} from './errors.js';
export type { PeerExitInfo, RpcErrorCode, RpcValidationIssue, RpcValidationSide } from './errors.js';
export { createPrimary } from './cluster/primary.js';
export type {
  AttachOptions,
  BroadcastResult,
  PrimaryEventContext,
  PrimaryHandlerContext,
  PrimaryHub,
  PrimaryOptions,
  WorkerHandle,
  WorkerInfo,
} from './cluster/primary.js';
export { connectPrimary } from './cluster/worker.js';
export type { PrimaryLink, WorkerOptions } from './cluster/worker.js';
export { createEndpoint } from './endpoint/endpoint.js';
export type { CreateEndpointOptions, Endpoint } from './endpoint/endpoint.js';
export type { Side } from './endpoint/setup.js';
export type { HandlerContext } from './endpoint/dispatch.js';
export type { EndpointOptions } from './endpoint/options.js';
// The shapes of the `metrics` and `tracing` options; the hooks themselves come from
// typed-cluster-rpc/metrics (createRpcMetrics) and typed-cluster-rpc/tracing (loadRpcTracing).
export type { RpcGaugeSource, RpcMetricsHooks, RpcSide } from './metrics/rpc.js';
export type { RpcClientSpan, RpcServerSpan, RpcTracing } from './tracing/types.js';
export type { TraceField } from './tracing/trace-context.js';
export type { InFlightCall } from './endpoint/pending.js';
export type { EndpointStats } from './endpoint/stats.js';
export type { CallArgs, CallOptions, Caller, EmitArgs, EventPort, Handler, HandlerSpec, Handlers } from './endpoint/typed.js';
export type { Logger } from './logger.js';
export type { Serialization } from './protocol/payload.js';
export type { Transport, TransportClose, TransportReceiver } from './transport/transport.js';
