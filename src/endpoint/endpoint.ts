// A typed endpoint over any transport: the worker's link to its primary is one, and so is each
// end of a memory pair. Must not import node:cluster.
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import { describe } from '../checks.js';
import type { Serialization } from '../protocol/payload.js';
import type { Transport } from '../transport/transport.js';
import type { HandlerContext } from './dispatch.js';
import type { Listeners } from './listeners.js';
import type { EndpointOptions } from './options.js';
import { Peer } from './peer.js';
import type { InFlightCall } from './pending.js';
import { resolveSide, type EndpointSetup, type Side } from './setup.js';
import type { EndpointStats } from './stats.js';
import type { CallOptions, Caller, EventPort, Handlers } from './typed.js';

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
 * The one endpoint class: a worker's link, each of a hub's worker handles and `createEndpoint`'s
 * result are this, built from an already-resolved {@link EndpointSetup}. Beyond the public
 * `Endpoint`, it offers its owner (a hub) what sending to many endpoints needs.
 */
export class EndpointImpl {
  readonly #peer: Peer;
  readonly #listeners: Listeners;
  readonly #ownsListeners: boolean;

  constructor(setup: EndpointSetup) {
    this.#peer = new Peer(setup);
    this.#listeners = setup.listeners;
    this.#ownsListeners = setup.ownsListeners;
  }

  get isConnected(): boolean {
    return this.#peer.isOpen;
  }
  call(method: string, input?: unknown, options?: unknown): Promise<unknown> {
    return this.#peer.call(method, input, options as CallOptions | undefined);
  }
  emit(event: string, payload?: unknown): void {
    this.#peer.emit(event, payload);
  }
  on(event: string, listener: (...args: any[]) => unknown): () => void {
    return this.#listeners.on(event, listener);
  }
  off(event: string, listener: (...args: any[]) => unknown): void {
    this.#listeners.off(event, listener);
  }
  stats(): EndpointStats {
    return this.#peer.stats(this.#ownsListeners ? this.#listeners.unheard : 0);
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

  /** The transport's serialization: what a payload must survive. */
  get serialization(): Serialization {
    return this.#peer.serialization;
  }
  /** Throws what `emit` would, without sending: lets an owner check once before sending to many. */
  checkEvent(event: string, payload: unknown): void {
    this.#peer.checkEvent(event, payload);
  }
  /** Sends an event already passed through `checkEvent`. */
  emitChecked(event: string, payload: unknown): void {
    this.#peer.emit(event, payload, true);
  }
  /** `close()`, with the reason pending calls are rejected with. */
  closeWith(reason: string): void {
    this.#peer.close(reason);
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
  const resolved = resolveSide('createEndpoint', contract, side, options, []);
  return new EndpointImpl({ ...resolved, transport, worker: undefined, ownsListeners: true }) as unknown as Endpoint<
    C[S extends 'primary' ? 'worker' : 'primary'],
    C['events']
  >;
}
