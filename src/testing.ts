/**
 * Test helpers of typed-cluster-rpc: an in-memory transport pair and connected endpoints, to unit-test
 * contracts and handlers without processes; and the conformance suite, to check a transport of
 * your own under any test runner.
 *
 * @packageDocumentation
 */
import type { Contract } from './contract/contract.js';
import { createEndpoint, type CreateEndpointOptions, type Endpoint } from './endpoint/endpoint.js';
import { createMemoryTransportPair, type MemoryTransportOptions } from './transport/memory.js';

export { createMemoryTransportPair } from './transport/memory.js';
export type { MemoryTransportOptions } from './transport/memory.js';
export type { Contract } from './contract/contract.js';
export type { CreateEndpointOptions, Endpoint } from './endpoint/endpoint.js';
export type { Serialization } from './protocol/payload.js';
export type { Transport } from './transport/transport.js';

/**
 * Options of {@link connectMemoryPair}: each side's endpoint options and handlers, and the
 * serialization the pair imitates.
 * @public
 */
export interface MemoryPairOptions<C extends Contract> extends MemoryTransportOptions {
  /** The primary's side: handlers of `contract.primary` and endpoint options. */
  readonly primary?: CreateEndpointOptions<C, 'primary'>;
  /** The worker's side: handlers of `contract.worker` and endpoint options. */
  readonly worker?: CreateEndpointOptions<C, 'worker'>;
}

/**
 * A connected pair of endpoints over memory, for unit tests: `primary` calls the worker's
 * procedures and `worker` calls the primary's, with the same validation, errors, timeouts and
 * serialization as over IPC.
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
  const [a, b] = createMemoryTransportPair(options.serialization !== undefined ? { serialization: options.serialization } : {});
  return {
    primary: createEndpoint(contract, 'primary', a, options.primary ?? {}),
    worker: createEndpoint(contract, 'worker', b, options.worker ?? {}),
  };
}

export { conformanceCases } from './testing/conformance.js';
export type { ConformanceCaller, ConformanceCase, ConformanceOptions, ConformancePair } from './testing/conformance-kit.js';
export { conformanceContract, conformancePrimaryHandlers, conformanceWorkerHandlers } from './testing/conformance-contract.js';
export type { ConformanceContract } from './testing/conformance-contract.js';

