// A worker's role: its link to the primary, serving the contract's worker procedures.
import cluster from 'node:cluster';
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import { checkBoolean, checkSerialization } from '../checks.js';
import { RpcPeerExitedError } from '../errors.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import { EndpointImpl, type Endpoint } from '../endpoint/endpoint.js';
import type { EndpointOptions } from '../endpoint/options.js';
import { resolveSide } from '../endpoint/setup.js';
import type { Handlers } from '../endpoint/typed.js';
import type { Serialization } from '../protocol/payload.js';
import { PrimaryTransport, SERIALIZATION_ENV } from '../transport/cluster.js';
import { CLUSTER_DEFAULTS } from './defaults.js';

/**
 * Options of {@link connectPrimary}.
 * @public
 */
export type WorkerOptions<C extends Contract> = EndpointOptions & {
  /**
   * This process's IPC serialization. Workers forked by `hub.fork()` learn it from their
   * environment; set it for a worker forked otherwise with `'advanced'` serialization.
   * @defaultValue the hub's, else `'json'`
   */
  readonly serialization?: Serialization;
  /**
   * Exit (code 0) when the link to the primary is lost without the primary having disconnected
   * this worker on purpose, so that no worker outlives its primary.
   * @defaultValue `true`
   */
  readonly exitOnDisconnect?: boolean;
} & (keyof C['worker'] extends never
    ? { /** Handlers of the procedures workers serve. */ readonly handlers?: Handlers<C['worker'], HandlerContext> }
    : { /** Handlers of the procedures workers serve. */ readonly handlers: Handlers<C['worker'], HandlerContext> });

/**
 * A worker's link to its primary.
 * @public
 */
export interface PrimaryLink<C extends Contract> extends Endpoint<C['primary'], C['events']> {
  /** This worker's cluster id, when it is a cluster worker. */
  readonly workerId: number | undefined;
}

let connected: object | undefined;

class Link extends EndpointImpl {
  constructor(contract: Contract, options: WorkerOptions<Contract>) {
    const fromEnv = process.env[SERIALIZATION_ENV] === 'advanced' ? 'advanced' : CLUSTER_DEFAULTS.workerSerialization;
    const serialization = checkSerialization('connectPrimary', options.serialization ?? fromEnv);
    const exitOnDisconnect = checkBoolean('connectPrimary', 'exitOnDisconnect', options.exitOnDisconnect ?? CLUSTER_DEFAULTS.exitOnDisconnect);
    if (connected !== undefined) throw new Error('connectPrimary: this process is already connected; close that link first');
    // Check options and handlers before the transport starts listening, so a bad call leaves no
    // listener behind (one would keep the worker's channel, and the worker, alive).
    const side = resolveSide('connectPrimary', contract, 'worker', options, ['serialization', 'exitOnDisconnect']);
    let self: object | undefined;
    super({
      ...side,
      transport: new PrimaryTransport(serialization),
      worker: undefined,
      ownsListeners: true,
      goneError: (info) => new RpcPeerExitedError(info, false),
      onClosed: (info) => {
        if (connected === self) connected = undefined;
        // A primary that disconnects this worker on purpose lets it drain; any other loss of the
        // channel means the primary is gone, and a worker must not outlive it.
        if (!info.local && exitOnDisconnect && cluster.worker?.exitedAfterDisconnect !== true) setImmediate(() => process.exit(0));
      },
    });
    self = this;
    connected = this;
  }

  get workerId(): number | undefined {
    return cluster.worker?.id;
  }
}

/**
 * Connects this worker to its primary for a contract: it serves the contract's `worker`
 * procedures and calls the `primary` ones. One link per process at a time.
 *
 * @throws `Error` when this process has no IPC channel or is already connected; `TypeError` for a
 * bad option or a missing handler.
 * @example
 * ```ts
 * const primary = connectPrimary(chat, { handlers: { greet: ({ name }) => `hello ${name}` } });
 * await primary.call('log', { level: 'info', text: 'up' });
 * ```
 * @public
 */
export function connectPrimary<C extends Contract<ProcedureMap, ProcedureMap, EventMap>>(
  contract: C,
  ...args: keyof C['worker'] extends never ? [options?: WorkerOptions<C>] : [options: WorkerOptions<C>]
): PrimaryLink<C> {
  return new Link(contract, (args[0] ?? {}) as WorkerOptions<Contract>) as unknown as PrimaryLink<C>;
}
