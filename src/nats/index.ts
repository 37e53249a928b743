/**
 * typed-cluster-rpc over NATS: the same contracts, handlers, calls and errors between processes on
 * any number of machines, through a `nats-server` and a connection from `@nats-io/transport-node`.
 *
 * @packageDocumentation
 */
// The public surface of typed-cluster-rpc/nats: explicit named exports only.
export { joinNamespace } from './member.js';
export type {
  JoinOptions,
  MemberHandle,
  NatsBroadcastResult,
  NatsEventContext,
  NatsHandlerContext,
  NatsMember,
  NatsMemberStats,
  OtherSide,
} from './types.js';
export type { LeftReason, MemberInfo } from './membership.js';
export type { NatsMemberOptions } from './options.js';
