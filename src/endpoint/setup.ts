// What an endpoint is built from, resolved once: options with their defaults, the handler table,
// the contract's two halves seen from one side, the listeners. Roles (a link, a hub's handles)
// resolve a side once and build as many endpoints from it as they need.
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import type { PeerExitInfo, RpcError } from '../errors.js';
import type { Transport, TransportClose } from '../transport/transport.js';
import type { ServedEntry } from './dispatch.js';
import { Listeners } from './listeners.js';
import { resolveEndpointOptions, type EndpointOptions, type ResolvedEndpointOptions } from './options.js';
import { normalizeHandlers } from './typed.js';

/**
 * Which side of a contract an endpoint plays: the primary serves `contract.primary` and calls
 * `contract.worker`; a worker the reverse.
 * @public
 */
export type Side = 'primary' | 'worker';

/** One side of a contract, resolved and checked: everything an endpoint needs but its transport. */
export interface ResolvedSide {
  /** Procedures this side serves, with their handlers. */
  readonly serves: ReadonlyMap<string, ServedEntry>;
  /** Procedures the other side serves. */
  readonly calls: ProcedureMap;
  readonly events: EventMap;
  readonly options: ResolvedEndpointOptions;
  /** Event and error listeners; a hub's handles share the hub's. */
  readonly listeners: Listeners;
}

/** A resolved side on one transport: what the endpoint (and its peer) is constructed from. */
export interface EndpointSetup extends ResolvedSide {
  readonly transport: Transport;
  /** Passed to event and error listeners, and to handlers as `ctx.worker`, on the primary's side. */
  readonly worker: object | undefined;
  /** Whether `stats().unheardErrors` reports the listeners' count (false where the listeners are shared). */
  readonly ownsListeners: boolean;
  /** The error a call gets once the other side is gone. */
  readonly goneError?: (peer: PeerExitInfo) => RpcError;
  /** Called once, when the peer closed for any reason. */
  readonly onClosed?: (info: TransportClose) => void;
}

/**
 * Resolves one side of a contract from a role's options (`handlers` among them): defaults filled,
 * every option and handler checked. `extraKeys` are the role's own options, checked by the role.
 * Throws a TypeError naming `where` for anything wrong.
 */
export function resolveSide(
  where: string,
  contract: Contract,
  side: Side,
  options: EndpointOptions & { readonly handlers?: unknown },
  extraKeys: readonly string[],
): ResolvedSide {
  const resolved = resolveEndpointOptions(where, options, ['handlers', ...extraKeys]);
  return {
    serves: normalizeHandlers(where, contract[side], options.handlers, resolved),
    calls: contract[side === 'primary' ? 'worker' : 'primary'],
    events: contract.events,
    options: resolved,
    listeners: new Listeners(contract.events),
  };
}
