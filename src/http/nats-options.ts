// The `nats` option of runHttpCluster: its types and its shallow checks. Type-only imports of
// src/nats, none of @nats-io: this module is loaded with the HTTP entry, and NATS must stay
// optional, in its types too (a consumer that checks its libraries need not have the peer).
import { checkBoolean, checkOptions, describe } from '../checks.js';
import { defineContract, type Contract, type EventMap, type ProcedureMap } from '../contract/contract.js';
import type { NatsMemberOptions } from '../nats/options.js';
import type { NatsMember } from '../nats/types.js';
import { controlContract, type ControlContract } from './control.js';

/**
 * The member options a cluster passes through to each of its NATS members (heartbeats, timeouts,
 * serialization, limits, a label). The namespace, the side, `serve` and the logger are the cluster's.
 * @public
 */
export type HttpNatsMemberOptions = Omit<NatsMemberOptions, 'namespace' | 'side' | 'serve' | 'logger'>;

/**
 * The connection the `nats` option's factory opens: a `NatsConnection` of `@nats-io/transport-node`
 * (what its `connect()` resolves to). Named by the few members the cluster relies on, so the HTTP
 * entry's types do not need that optional peer installed; the join checks the rest.
 * @public
 */
export interface HttpNatsConnection {
  /** Subscribes to a subject (checked before the join). */
  subscribe(subject: string, ...rest: never[]): unknown;
  /** Whether the connection is closed for good. */
  isClosed(): boolean;
  /** Closes the connection. */
  close(): Promise<void>;
  /** Resolves once the connection is closed for good (with the error that closed it, if any). */
  closed(): Promise<void | Error>;
}

/**
 * Joins every process of the HTTP cluster to a NATS namespace (`typed-cluster-rpc/nats`), so that
 * the workers and the primaries of several machines are reachable from one another and from any
 * other member: each worker serves the user's worker procedures plus the built-in `stats` and
 * `ping` (never `shutdown`), each primary serves `clusterStats`.
 * @public
 */
export interface HttpNatsOptions {
  /**
   * Opens a NATS connection (your servers, credentials, TLS and reconnect options). Called once in
   * every process that joins, the primary and each worker: a connection cannot cross a fork.
   */
  readonly connect: () => Promise<HttpNatsConnection>;
  /** The namespace to join: 1 to 64 letters, digits, `_` or `-`. Every machine of one service uses the same. */
  readonly namespace: string;
  /** Options of each member (heartbeats, timeouts, serialization, a label). */
  readonly member?: HttpNatsMemberOptions;
  /**
   * Close the connection the `connect` factory opened once the member has left (the worker's drain,
   * the primary's stop). `false` leaves it open for your own use.
   * @defaultValue `true`
   */
  readonly closeConnection?: boolean;
}

/**
 * The contract the cluster's members serve over NATS: the user's worker procedures with the
 * built-in `stats` and `ping`, the primary's `clusterStats`, and the user's events. The user's
 * primary procedures are not served over NATS: their handlers are given `ctx.worker`, a worker of
 * the same machine, which a caller over NATS is not.
 * @public
 */
export type NatsClusterContract<C extends Contract> = Contract<
  C['worker'] & Pick<ControlContract['worker'], 'stats' | 'ping'>,
  ControlContract['primary'],
  C['events']
>;

/**
 * A cluster process's membership of the namespace, in `app.nats`: resolves to the member once it
 * joined; rejects (the reason is logged too) when the connection could not be opened or the join
 * failed. The process serves HTTP either way.
 * @public
 */
export type HttpNatsMembership<C extends Contract, S extends 'primary' | 'worker'> = Promise<NatsMember<NatsClusterContract<C>, S>>;

/**
 * The contract a cluster with the `nats` option serves over NATS, built from the user's contract:
 * join the namespace with it from any other process (an admin script, another service) to call
 * the clusters' workers (`side: 'primary'`) or their primaries (`side: 'worker'`).
 * @example
 * ```ts
 * const admin = await joinNamespace(nc, natsClusterContract(shopContract), { namespace: 'shop', side: 'primary', serve: false });
 * const stats = await admin.broadcast('stats'); // every worker of every machine
 * ```
 * @public
 */
export function natsClusterContract<C extends Contract = Contract<{}, {}, {}>>(contract?: C): NatsClusterContract<C> {
  const u = contract ?? defineContract({});
  const { stats, ping } = controlContract.worker;
  return defineContract({
    worker: { ...(u.worker as ProcedureMap), stats, ping },
    primary: { ...(controlContract.primary as ProcedureMap) },
    events: { ...(u.events as EventMap) },
  }) as unknown as NatsClusterContract<C>;
}

/** The `nats` option, checked and frozen. */
export interface ResolvedHttpNats {
  readonly connect: () => Promise<HttpNatsConnection>;
  readonly namespace: string;
  readonly member: HttpNatsMemberOptions;
  readonly closeConnection: boolean;
}

const KNOWN = Object.freeze(['connect', 'namespace', 'member', 'closeConnection']);
const CLUSTER_OWNED = Object.freeze(['namespace', 'side', 'serve', 'logger', 'handlers']);
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const where = 'runHttpCluster: nats';

/**
 * Checks the `nats` option's shape at once; the member options are checked in full by the NATS
 * wiring, loaded only when this option is given.
 */
export function resolveHttpNats(value: unknown): ResolvedHttpNats | undefined {
  if (value === undefined) return undefined;
  const o = checkOptions(where, value, KNOWN);
  if (typeof o['connect'] !== 'function') throw new TypeError(`${where}.connect must be a function that opens a NATS connection, got ${describe(o['connect'])}`);
  if (typeof o['namespace'] !== 'string' || !TOKEN.test(o['namespace'])) {
    throw new TypeError(`${where}.namespace must be 1 to 64 letters, digits, '_' or '-', got ${describe(o['namespace'])}`);
  }
  const member = o['member'] ?? {};
  if (typeof member !== 'object' || member === null || Array.isArray(member)) throw new TypeError(`${where}.member must be an object of member options, got ${describe(member)}`);
  for (const key of CLUSTER_OWNED) {
    if (Object.hasOwn(member, key)) throw new TypeError(`${where}.member.${key} is set by the cluster; leave it out`);
  }
  return Object.freeze({
    connect: o['connect'] as () => Promise<HttpNatsConnection>,
    namespace: o['namespace'],
    member: Object.freeze({ ...member }) as HttpNatsMemberOptions,
    closeConnection: o['closeConnection'] === undefined ? true : checkBoolean(where, 'closeConnection', o['closeConnection']),
  });
}
