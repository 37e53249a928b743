/**
 * Test helpers of typed-cluster-rpc: an in-memory transport pair and connected endpoints, to unit-test
 * contracts and handlers without processes; and the conformance suite, to check a transport of
 * your own under any test runner.
 *
 * @packageDocumentation
 */
// The first import keeps the package comment above it in the emitted .d.ts: a value import would be
// elided there, and the comment with it.
import type { PrimaryHandlerContext, WorkerInfo } from './cluster/primary.js';
import { checkCount, checkOptions } from './checks.js';
import type { Contract } from './contract/contract.js';
import { createEndpoint, EndpointImpl, type CreateEndpointOptions, type Endpoint } from './endpoint/endpoint.js';
import type { EndpointOptions } from './endpoint/options.js';
import { resolveSide } from './endpoint/setup.js';
import type { Handlers } from './endpoint/typed.js';
import type { Logger } from './logger.js';
import { createMemoryTransportPair, type MemoryTransportOptions } from './transport/memory.js';

export { createMemoryTransportPair } from './transport/memory.js';
export type { MemoryTransportOptions } from './transport/memory.js';
export type { Contract } from './contract/contract.js';
export type { CreateEndpointOptions, Endpoint } from './endpoint/endpoint.js';
export type { Serialization } from './protocol/payload.js';
export type { Transport } from './transport/transport.js';
export type { PrimaryHandlerContext, WorkerInfo } from './cluster/primary.js';
export type { Logger } from './logger.js';

/**
 * The primary's side of a memory pair: endpoint options, and handlers of `contract.primary` that
 * receive the same context as in a cluster, `ctx.worker` included.
 * @public
 */
export type MemoryPairPrimaryOptions<C extends Contract> = EndpointOptions & {
  /** Handlers of the procedures the primary serves. */
  readonly handlers?: Handlers<C['primary'], PrimaryHandlerContext>;
  /**
   * Where the library writes its own messages (a problem reported while no 'error' listener
   * listens), instead of process warnings.
   * @defaultValue warnings through `process.emitWarning`, info to `console.info`, errors to `console.error`
   */
  readonly logger?: Logger;
};

/**
 * Options of {@link connectMemoryPair}: each side's endpoint options and handlers, and the
 * serialization the pair imitates.
 * @public
 */
export interface MemoryPairOptions<C extends Contract> extends MemoryTransportOptions {
  /** The primary's side: handlers of `contract.primary` and endpoint options. */
  readonly primary?: MemoryPairPrimaryOptions<C>;
  /** The worker's side: handlers of `contract.worker` and endpoint options. */
  readonly worker?: CreateEndpointOptions<C, 'worker'>;
  /**
   * The worker the primary's handlers and listeners see as `ctx.worker`, as a hub would name it.
   * @defaultValue `{ id: 1, pid: process.pid }`
   */
  readonly workerInfo?: WorkerInfo;
}

function checkWorkerInfo(info: unknown): WorkerInfo {
  const where = 'connectMemoryPair';
  const o = checkOptions(`${where}: workerInfo`, info, ['id', 'pid']);
  const id = checkCount(where, 'workerInfo.id', o['id'], false, true);
  const pid = o['pid'] === undefined ? undefined : checkCount(where, 'workerInfo.pid', o['pid'], false);
  return Object.freeze({ id, pid });
}

/**
 * A connected pair of endpoints over memory, for unit tests: `primary` calls the worker's
 * procedures and `worker` calls the primary's, with the same validation, errors, timeouts and
 * serialization as over IPC. The primary's handlers and listeners get `ctx.worker`, as in a
 * cluster: `workerInfo`, or `{ id: 1, pid: process.pid }`.
 * @throws `TypeError` for a bad option or a missing handler.
 * @example
 * ```ts
 * const { primary, worker } = connectMemoryPair(chat, { worker: { handlers: { greet: ({ name }) => `hi ${name}` } } });
 * assert.equal(await primary.call('greet', { name: 'Ada' }), 'hi Ada');
 * ```
 * @public
 */
export function connectMemoryPair<C extends Contract>(
  contract: C,
  options: MemoryPairOptions<C> = {},
): { primary: Endpoint<C['worker'], C['events']>; worker: Endpoint<C['primary'], C['events']> } {
  const worker = checkWorkerInfo(options.workerInfo ?? { id: 1, pid: process.pid });
  // Both sides are checked before either transport starts: a bad option leaves nothing running.
  const side = resolveSide('connectMemoryPair', contract, 'primary', options.primary ?? {}, []);
  const [a, b] = createMemoryTransportPair(options.serialization !== undefined ? { serialization: options.serialization } : {});
  const workerEnd = createEndpoint(contract, 'worker', b, options.worker ?? {});
  const primary = new EndpointImpl({ ...side, transport: a, worker, ownsListeners: true });
  return { primary: primary as unknown as Endpoint<C['worker'], C['events']>, worker: workerEnd };
}

export { conformanceCases } from './testing/conformance.js';
export type { ConformanceCaller, ConformanceCase, ConformanceOptions, ConformancePair } from './testing/conformance-kit.js';
export { conformanceContract, conformancePrimaryHandlers, conformanceWorkerHandlers } from './testing/conformance-contract.js';
export type { ConformanceContract } from './testing/conformance-contract.js';

