// A typed endpoint over any transport: the worker's link to its primary is one, and so is each
// end of a memory pair. Must not import node:cluster.
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import { describe } from '../contract/contract.js';
import type { RpcError, PeerExitInfo } from '../errors.js';
import type { Transport, TransportClose } from '../transport/transport.js';
import type { HandlerContext } from './dispatch.js';
import { Listeners } from './listeners.js';
import { resolveEndpointOptions, type EndpointOptions } from './options.js';
import { Peer } from './peer.js';
import type { InFlightCall } from './pending.js';
import type { EndpointStats } from './stats.js';
import { normalizeHandlers, type Caller, type EventPort, type Handlers } from './typed.js';

/**
 * One end of an RPC link: calls the procedures of the other side, serves its own, and exchanges
 * events.
 * @public
 */
export interface Endpoint<Calls extends ProcedureMap, Events extends EventMap> extends Caller<Calls>, EventPort<Events, {}> {
  /** Whether calls can still be made. */
  readonly isConnected: boolean;
  /** This endpoint's counters. */
  stats(): EndpointStats;
  /** Calls awaiting their reply, for finding stuck ones. */
  inFlight(): InFlightCall[];
  /**
   * Refuses new calls, waits for the calls in flight both ways, then closes.
   * @param options - `timeout`: close at this deadline, in milliseconds, whatever is left.
   */
  drain(options?: { readonly timeout?: number }): Promise<void>;
  /** Rejects every call in flight with `RPC_CLOSED` and stops serving; the other side is told. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Which side of a contract an endpoint plays: the primary serves `contract.primary` and calls
 * `contract.worker`; a worker the reverse.
 * @public
 */
export type Side = 'primary' | 'worker';

export interface EndpointSetup {
  readonly where: string;
  readonly contract: Contract;
  readonly side: Side;
  readonly transport: Transport;
  readonly options: EndpointOptions & { readonly handlers?: unknown };
  readonly extraKeys: readonly string[];
  readonly goneError?: (peer: PeerExitInfo) => RpcError;
  readonly onClosed?: (info: TransportClose) => void;
}

export class EndpointImpl {
  readonly #peer: Peer;
  readonly #listeners = new Listeners();
  readonly #events: EventMap;

  constructor(setup: EndpointSetup) {
    const options = resolveEndpointOptions(setup.where, setup.options, ['handlers', ...setup.extraKeys]);
    const serves = normalizeHandlers(setup.where, setup.contract[setup.side], setup.options.handlers, options);
    this.#events = setup.contract.events;
    this.#peer = new Peer({
      transport: setup.transport,
      serves,
      calls: setup.contract[setup.side === 'primary' ? 'worker' : 'primary'],
      events: setup.contract.events,
      options,
      listeners: this.#listeners,
      worker: undefined,
      ...(setup.goneError !== undefined ? { goneError: setup.goneError } : {}),
      ...(setup.onClosed !== undefined ? { onClosed: setup.onClosed } : {}),
    });
  }

  get isConnected(): boolean {
    return this.#peer.isOpen;
  }
  call(method: string, input?: unknown, options?: unknown): Promise<unknown> {
    return this.#peer.call(method, input, options as never);
  }
  emit(event: string, payload?: unknown): void {
    this.#peer.emit(event, payload);
  }
  on(event: string, listener: (...args: any[]) => unknown): () => void {
    if (typeof listener !== 'function') throw new TypeError(`on("${String(event)}"): listener must be a function, got ${describe(listener)}`);
    if (event !== 'error' && !Object.hasOwn(this.#events, event)) {
      throw new TypeError(`on: ${describe(event)} is not an event of the contract (nor 'error')`);
    }
    return this.#listeners.on(event, listener);
  }
  off(event: string, listener: (...args: any[]) => unknown): void {
    this.#listeners.off(event, listener);
  }
  stats(): EndpointStats {
    return this.#peer.stats(this.#listeners.unheard);
  }
  inFlight(): InFlightCall[] {
    return this.#peer.inFlight();
  }
  async drain(options: { readonly timeout?: number } = {}): Promise<void> {
    await this.#peer.drain(options.timeout);
  }
  async close(): Promise<void> {
    this.#peer.close();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Options of `createEndpoint`: the endpoint's options and the handlers of the side it plays.
 * @public
 */
export type CreateEndpointOptions<C extends Contract, S extends Side> = EndpointOptions & {
  /** Handlers of the procedures this side serves. */
  readonly handlers?: Handlers<C[S], HandlerContext>;
};

/**
 * Creates one end of an RPC link over any {@link Transport}, playing one side of a contract. The
 * cluster roles are built on this; use it for a transport of your own, or in tests with
 * `createMemoryTransportPair()`.
 * @beta
 */
export function createEndpoint<C extends Contract, S extends Side>(
  contract: C,
  side: S,
  transport: Transport,
  options: CreateEndpointOptions<C, S> = {},
): Endpoint<C[S extends 'primary' ? 'worker' : 'primary'], C['events']> {
  if (side !== 'primary' && side !== 'worker') throw new TypeError(`createEndpoint: side must be 'primary' or 'worker', got ${describe(side)}`);
  return new EndpointImpl({ where: 'createEndpoint', contract, side, transport, options, extraKeys: [] }) as unknown as Endpoint<
    C[S extends 'primary' ? 'worker' : 'primary'],
    C['events']
  >;
}
