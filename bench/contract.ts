// The contract, payloads and wire tags the IPC benchmarks share between the primary (bench/run.ts)
// and the worker fixture (bench/fixtures/ipc-worker.ts).
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { defineContract } from '../src/index.js';

/** The raw echo contestant's key: `{ [RAW_TAG]: id, p: payload }`, echoed back as is. */
export const RAW_TAG = '~raw';
/** The naive typed RPC contestant's key (bench/naive.ts): `{ [NAIVE_TAG]: 'q' | 's', … }`. */
export const NAIVE_TAG = '~naive';
/** Sent once by a worker fixture when all its listeners are up. */
export const READY_TAG = '~bench-ready';

/** Whether an IPC message is the raw echo contestant's. */
export function isRawMessage(message: unknown): message is { readonly [RAW_TAG]: number; readonly p?: unknown } {
  return typeof message === 'object' && message !== null && Object.hasOwn(message, RAW_TAG);
}

/** Whether an IPC message is the naive typed RPC's. */
export function isNaiveMessage(message: unknown): message is { readonly [NAIVE_TAG]: unknown } {
  return typeof message === 'object' && message !== null && Object.hasOwn(message, NAIVE_TAG);
}

/** Whether an IPC message is birpc's: a request (`t: 'q'`) or a response (`t: 's'`). */
export function isBirpcMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const t = (message as { t?: unknown }).t;
  return t === 'q' || t === 's';
}

const item = z.object({ id: z.number(), name: z.string(), score: z.number(), active: z.boolean(), tags: z.array(z.string()) });
/** The echoed payload's schema, used when validation is on (input and output). */
export const payloadSchema = z.object({
  id: z.number(),
  name: z.string(),
  ok: z.boolean(),
  n: z.number(),
  text: z.string(),
  items: z.array(item),
});
export type Payload = z.infer<typeof payloadSchema>;

/**
 * "Validation off": a Standard Schema that accepts anything and returns it as is. A procedure
 * with no schema at all carries no value (the handler gets `undefined` and the reply is empty),
 * so it could not echo; this one costs one function call.
 */
export const passthrough: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'typed-cluster-rpc-bench', validate: (value) => ({ value }) },
};

export const benchContract = defineContract({
  worker: {
    /** Validation on: zod object schemas for input and output; the worker's handler is `async`. */
    echo: { input: payloadSchema, output: payloadSchema },
    /** The same with a synchronous handler, for the row beside the async one. */
    echoSync: { input: payloadSchema, output: payloadSchema },
    /** Validation off (a pass-through schema, see `passthrough`); `async` handler. */
    echoOff: { input: passthrough, output: passthrough },
    /** What `hub.broadcast('stats')` calls. */
    stats: { output: z.object({ pid: z.number(), handled: z.number() }) },
  },
});

/** The functions the worker serves over birpc (`echo` is an async function there, as users write it). */
export interface BirpcWorkerFunctions {
  echo(payload: unknown): Promise<unknown>;
}

/** The ~100-byte payload (JSON size printed with the results). */
export function smallPayload(): Payload {
  return { id: 1, name: 'bench', ok: true, n: 3.25, text: 'the quick brown fox jumps over it', items: [] };
}

/** The ~10 KB payload: 40 records and a 6 KB string. */
export function largePayload(): Payload {
  return {
    id: 2,
    name: 'bench-large',
    ok: true,
    n: 6.5,
    text: 'lorem ipsum dolor sit amet '.repeat(250),
    items: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item-${i}`, score: i * 1.5, active: i % 2 === 0, tags: ['alpha', 'beta'] })),
  };
}
