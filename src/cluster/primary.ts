// The primary's role: a hub of one endpoint per worker, fork and attach, broadcast, events to all.
// The only module above the transport that knows node:cluster workers, with worker.ts.
import cluster, { type Worker } from 'node:cluster';
import { checkSerialization, describe } from '../checks.js';
import type { CallOutput, Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import { EndpointImpl } from '../endpoint/endpoint.js';
import type { EndpointOptions } from '../endpoint/options.js';
import type { InFlightCall } from '../endpoint/pending.js';
import { resolveSide, type EndpointSetup, type ResolvedSide } from '../endpoint/setup.js';
import { addStats, zeroStats, type EndpointStats } from '../endpoint/stats.js';
import type { Serialization } from '../protocol/payload.js';
import { SERIALIZATION_ENV, WorkerTransport } from '../transport/cluster.js';
import { gather } from './broadcast.js';
import { CLUSTER_DEFAULTS } from './defaults.js';
import type { CallArgs, Caller, EmitArgs, EventPort, Handlers } from '../endpoint/typed.js';
import { describeExit, RpcClosedError, RpcNoWorkerError, type PeerExitInfo } from '../errors.js';

/**
 * A worker as the primary names it.
 * @public
 */
export interface WorkerInfo {
  /** The cluster worker id (`worker.id`). */
  readonly id: number;
  /** The worker's process id. */
  readonly pid: number | undefined;
}

/**
 * The context of a handler on the primary's side: the call's, plus the worker that made it.
 * @public
 */
export interface PrimaryHandlerContext extends HandlerContext {
  /** The worker that made the call. */
  readonly worker: WorkerInfo;
}

/**
 * The context of an event or error listener on the primary's side.
 * @public
 */
export interface PrimaryEventContext {
  /** The worker that sent the event. */
  readonly worker: WorkerInfo;
}

/**
 * Options of {@link createPrimary}.
 * @public
 */
export type PrimaryOptions<C extends Contract> = EndpointOptions & {
  /**
   * The IPC serialization of the workers the hub forks. `'advanced'` carries Date, BigInt, Map,
   * Set, typed arrays and undefined fields intact and, batched, is the faster of the two.
   * @defaultValue `'advanced'`
   */
  readonly serialization?: Serialization;
} & (keyof C['primary'] extends never
    ? { /** Handlers of the procedures the primary serves. */ readonly handlers?: Handlers<C['primary'], PrimaryHandlerContext> }
    : { /** Handlers of the procedures the primary serves. */ readonly handlers: Handlers<C['primary'], PrimaryHandlerContext> });

/**
 * One worker's result in a broadcast, with how long it took.
 * @public
 */
export type BroadcastResult<T> =
  | { readonly worker: WorkerInfo; readonly status: 'fulfilled'; readonly value: T; readonly ms: number }
  | { readonly worker: WorkerInfo; readonly status: 'rejected'; readonly reason: unknown; readonly ms: number };

/**
 * The primary's handle on one worker: call it, send it events, inspect it.
 * @public
 */
export interface WorkerHandle<C extends Contract> extends Caller<C['worker']> {
  /** The cluster worker id. */
  readonly id: number;
  /** The worker's process id. */
  readonly pid: number | undefined;
  /** The cluster worker. */
  readonly worker: Worker;
  /** Whether calls to this worker can still be made. */
  readonly isConnected: boolean;
  /** Sends an event to this worker only. */
  emit<N extends keyof C['events'] & string>(event: N, ...args: EmitArgs<C['events'][N]>): void;
  /** This worker's counters. */
  stats(): EndpointStats;
  /** Calls to this worker awaiting their reply. */
  inFlight(): InFlightCall[];
}

/**
 * Options of {@link PrimaryHub.attach}.
 * @public
 */
export interface AttachOptions {
  /**
   * The worker's IPC serialization.
   * @defaultValue `cluster.settings.serialization`, else `'json'`
   */
  readonly serialization?: Serialization;
}

/**
 * The primary's end of the cluster: forks and attaches workers, calls them, broadcasts, and serves
 * the procedures workers call.
 * @public
 */
export interface PrimaryHub<C extends Contract> extends EventPort<C['events'], PrimaryEventContext> {
  /**
   * Forks a worker (`cluster.fork(env)`) with the hub's serialization and attaches it.
   * @throws `RpcClosedError` when the hub is closed.
   */
  fork(env?: NodeJS.ProcessEnv): WorkerHandle<C>;
  /**
   * Attaches a worker forked outside the hub. The worker must call `connectPrimary`. Attaching the
   * same worker twice returns the same handle.
   * @throws `RpcClosedError` when the hub is closed; `TypeError` for something that is not a cluster worker.
   */
  attach(worker: Worker, options?: AttachOptions): WorkerHandle<C>;
  /** The attached workers that have not exited. */
  readonly workers: readonly WorkerHandle<C>[];
  /** The attached worker with this cluster id, if it has not exited. */
  worker(id: number): WorkerHandle<C> | undefined;
  /**
   * Calls a procedure on every connected worker at once and resolves to one entry per worker, in
   * the order of `workers`. Never rejects because of one worker: each entry says whether that
   * worker answered, timed out, exited or threw. With no worker, resolves to `[]`.
   */
  broadcast<M extends keyof C['worker'] & string>(method: M, ...args: CallArgs<C['worker'][M]>): Promise<BroadcastResult<CallOutput<C['worker'][M]>>[]>;
  /** Counters summed over every worker. */
  stats(): EndpointStats;
  /** Calls to any worker awaiting their reply. */
  inFlight(): InFlightCall[];
  /**
   * Refuses new calls, waits for calls in flight both ways, then closes. Workers keep running.
   * @param options - `timeout`: close at this deadline, in milliseconds, whatever is left.
   */
  drain(options?: { readonly timeout?: number }): Promise<void>;
  /** Rejects every call in flight with `RPC_CLOSED` and stops serving. Workers keep running. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}


function goneMessage(peer: PeerExitInfo): string {
  return `${peer.peer} ${describeExit(peer.exitCode, peer.signal)}`;
}

/** The primary's handle on one worker: an endpoint over that worker's channel, plus its names. */
class Handle extends EndpointImpl {
  readonly info: WorkerInfo;
  constructor(
    readonly worker: Worker,
    info: WorkerInfo,
    setup: EndpointSetup,
  ) {
    super(setup);
    this.info = info;
  }
  get id(): number {
    return this.info.id;
  }
  get pid(): number | undefined {
    return this.info.pid;
  }
}

class Hub {
  readonly #side: ResolvedSide;
  readonly #serialization: Serialization;
  readonly #handles = new Map<number, Handle>();
  readonly #retired = zeroStats();
  #closed = false;

  constructor(contract: Contract, options: PrimaryOptions<Contract>) {
    if (!cluster.isPrimary) throw new Error('createPrimary: this process is a cluster worker; call connectPrimary here and createPrimary in the primary');
    this.#side = resolveSide('createPrimary', contract, 'primary', options, ['serialization']);
    this.#serialization = checkSerialization('createPrimary', options.serialization ?? CLUSTER_DEFAULTS.hubSerialization);
  }

  fork(env?: NodeJS.ProcessEnv): Handle {
    if (this.#closed) throw new RpcClosedError('createPrimary: the hub is closed');
    // The serialization is a cluster setting read at fork time; the worker learns it from its env.
    if (cluster.settings.serialization !== this.#serialization) cluster.setupPrimary({ serialization: this.#serialization });
    const worker = cluster.fork({ ...env, [SERIALIZATION_ENV]: this.#serialization });
    return this.attach(worker, { serialization: this.#serialization });
  }

  attach(worker: Worker, options: AttachOptions = {}): Handle {
    if (this.#closed) throw new RpcClosedError('createPrimary: the hub is closed');
    if (typeof worker !== 'object' || worker === null || typeof worker.id !== 'number' || typeof worker.process?.send !== 'function') {
      throw new TypeError(`attach: expected a cluster Worker, got ${describe(worker)}`);
    }
    const existing = this.#handles.get(worker.id);
    if (existing !== undefined && existing.worker === worker) return existing;
    const serialization = options.serialization ?? cluster.settings.serialization ?? CLUSTER_DEFAULTS.workerSerialization;
    const transport = new WorkerTransport(worker, serialization);
    const info: WorkerInfo = Object.freeze({ id: worker.id, pid: worker.process.pid });
    let handle: Handle | undefined;
    handle = new Handle(worker, info, {
      ...this.#side,
      transport,
      worker: info,
      ownsListeners: false,
      goneError: (exit) => new RpcNoWorkerError(goneMessage(exit)),
      onClosed: () => {
        if (handle !== undefined && this.#handles.get(worker.id) === handle) {
          this.#handles.delete(worker.id);
          addStats(this.#retired, handle.stats(), true);
        }
      },
    });
    if (!transport.closed) this.#handles.set(worker.id, handle);
    return handle;
  }

  get workers(): Handle[] {
    return [...this.#handles.values()];
  }

  worker(id: number): Handle | undefined {
    return this.#handles.get(id);
  }

  broadcast(method: string, input?: unknown, options?: unknown): Promise<BroadcastResult<unknown>[]> {
    if (this.#closed) return Promise.reject(new RpcClosedError('broadcast: the hub is closed'));
    return gather(this.workers.filter((h) => h.isConnected), method, input, options);
  }

  emit(event: string, payload?: unknown): void {
    if (this.#closed) throw new RpcClosedError('emit: the hub is closed');
    if (typeof event !== 'string' || !Object.hasOwn(this.#side.events, event)) {
      throw new TypeError(`emit: ${describe(event)} is not an event of the contract`);
    }
    const targets = this.workers.filter((h) => h.isConnected);
    // Check once per serialization before sending to anyone: all workers get it, or none does.
    const checked = new Set<string>();
    for (const h of targets) {
      if (checked.has(h.serialization)) continue;
      h.checkEvent(event, payload);
      checked.add(h.serialization);
    }
    for (const h of targets) h.emitChecked(event, payload);
  }

  on(event: string, listener: (...args: any[]) => unknown): () => void {
    return this.#side.listeners.on(event, listener);
  }

  off(event: string, listener: (...args: any[]) => unknown): void {
    this.#side.listeners.off(event, listener);
  }

  stats(): EndpointStats {
    const total = { ...this.#retired };
    for (const h of this.#handles.values()) addStats(total, h.stats());
    total.unheardErrors = this.#side.listeners.unheard;
    return total;
  }

  inFlight(): InFlightCall[] {
    return this.workers.flatMap((h) => h.inFlight());
  }

  async drain(options: { readonly timeout?: number } = {}): Promise<void> {
    this.#closed = true;
    await Promise.all(this.workers.map((h) => h.drain(options)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const h of this.workers) h.closeWith('the hub was closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Creates the primary's hub for a contract: it serves the contract's `primary` procedures and
 * calls the `worker` ones. Fork workers with `hub.fork()`, or attach your own with `hub.attach()`.
 *
 * @throws `Error` when called in a cluster worker; `TypeError` for a bad option or a missing handler.
 * @example
 * ```ts
 * const hub = createPrimary(chat, { handlers: { log: ({ text }, ctx) => console.log(ctx.worker.id, text) } });
 * const worker = hub.fork();
 * const stats = await worker.call('stats');
 * ```
 * @public
 */
export function createPrimary<C extends Contract<ProcedureMap, ProcedureMap, EventMap>>(
  contract: C,
  ...args: keyof C['primary'] extends never ? [options?: PrimaryOptions<C>] : [options: PrimaryOptions<C>]
): PrimaryHub<C> {
  return new Hub(contract, (args[0] ?? {}) as PrimaryOptions<Contract>) as unknown as PrimaryHub<C>;
}
