// The public types of typed-cluster-rpc/nats: a member, its handles, contexts and results.
import type { CallOutput, Contract, ProcedureMap } from '../contract/contract.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Side } from '../endpoint/setup.js';
import type { InFlightCall } from '../endpoint/pending.js';
import type { EndpointStats } from '../endpoint/stats.js';
import type { CallArgs, Caller, EventPort, Handlers } from '../endpoint/typed.js';
import type { LeftReason, MemberInfo } from './membership.js';
import type { NatsMemberOptions } from './options.js';

/**
 * The side a member of side `S` calls.
 * @public
 */
export type OtherSide<S extends Side> = S extends 'primary' ? 'worker' : 'primary';

/**
 * A handler's context over NATS: the call's, plus the member that made it.
 * @public
 */
export interface NatsHandlerContext extends HandlerContext {
  /** The calling member, or only its id when its first heartbeat has not arrived yet. */
  readonly member: MemberInfo | { readonly id: string };
}

/**
 * The context of an event or error listener: the member that sent the event.
 * @public
 */
export interface NatsEventContext {
  /** The sending member, or only its id when its first heartbeat has not arrived yet. */
  readonly member: MemberInfo | { readonly id: string };
}

/**
 * Options of `joinNamespace`: the member's options and the handlers of the side it serves.
 * @public
 */
export type JoinOptions<C extends Contract, S extends Side> = NatsMemberOptions & {
  /** Which side of the contract this member serves. */
  readonly side: S;
} & (keyof C[S] extends never
    ? { /** Handlers of the procedures this member serves. */ readonly handlers?: Handlers<C[S], NatsHandlerContext> }
    :
        | { /** Handlers of the procedures this member serves. */ readonly handlers: Handlers<C[S], NatsHandlerContext> }
        | { /** A member that only calls and listens needs no handlers. */ readonly serve: false; readonly handlers?: undefined });

/**
 * One member's result in a broadcast, with how long it took.
 * @public
 */
export type NatsBroadcastResult<T> =
  | { readonly member: MemberInfo; readonly status: 'fulfilled'; readonly value: T; readonly ms: number }
  | { readonly member: MemberInfo; readonly status: 'rejected'; readonly reason: unknown; readonly ms: number };

/**
 * One other member: call it by id.
 * @public
 */
export interface MemberHandle<P extends ProcedureMap> extends Caller<P> {
  /** The member's id. */
  readonly id: string;
  /** What its last heartbeat said; `undefined` once it left. */
  readonly info: MemberInfo | undefined;
}

/**
 * Counters of a member: its endpoints' summed, plus what it dropped.
 * @public
 */
export interface NatsMemberStats extends EndpointStats {
  /** NATS messages dropped: not a frame of this library, oversized, or a reply from a member the call did not go to. */
  dropped: number;
  /** Other members known now. */
  members: number;
}

/**
 * A member of a namespace over NATS: serves one side of a contract and calls the other side's
 * members, any of them (the queue group picks), one by id, or all of them.
 * @public
 */
export interface NatsMember<C extends Contract, S extends Side> extends Caller<C[OtherSide<S>]>, EventPort<C['events'], NatsEventContext> {
  /** This member's id, as others see it. */
  readonly id: string;
  /** The namespace joined. */
  readonly namespace: string;
  /** The side this member serves. */
  readonly side: S;
  /** Whether calls can be made: joined, not closed, and connected to NATS. */
  readonly isConnected: boolean;
  /** The other members known now (both sides), from their heartbeats. */
  members(): MemberInfo[];
  /** A member of the other side by id, if it is known now. */
  member(id: string): MemberHandle<C[OtherSide<S>]> | undefined;
  /**
   * Calls a procedure on every known member of the other side at once and resolves to one entry per
   * member. Never rejects because of one member; `timeout` is the deadline of every entry.
   */
  broadcast<M extends keyof C[OtherSide<S>] & string>(
    method: M,
    ...args: CallArgs<C[OtherSide<S>][M]>
  ): Promise<NatsBroadcastResult<CallOutput<C[OtherSide<S>][M]>>[]>;
  /** Listens to members joining or leaving. Returns a function that stops listening. */
  onMembers(event: 'joined', listener: (member: MemberInfo) => void): () => void;
  /** Listens to members joining or leaving. Returns a function that stops listening. */
  onMembers(event: 'left', listener: (member: MemberInfo, why: { readonly reason: LeftReason }) => void): () => void;
  /** This member's counters. */
  stats(): NatsMemberStats;
  /** Calls awaiting their reply. */
  inFlight(): InFlightCall[];
  /**
   * Leaves gracefully: takes no new calls, waits for calls in flight both ways (at most `timeout`,
   * default the `drainTimeout` option), says goodbye and unsubscribes. The connection stays open: it is yours.
   */
  drain(options?: { readonly timeout?: number }): Promise<void>;
  /** Leaves now: calls in flight reject with `RPC_CLOSED`, callers of running handlers are told; says goodbye. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}
