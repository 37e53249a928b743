// A consumer of the packed tarball, as a user would write it: compiled by the package test in a fresh
// project (strict, NodeNext) against the installed types, then run. One worker, one call, one line.
import cluster from 'node:cluster';
import { z } from 'zod';
import { connectPrimary, createPrimary, defineContract, RpcError, type WorkerHandle } from 'typed-cluster-rpc';
import type { HttpClusterOptions } from 'typed-cluster-rpc/http';
import { connectMemoryPair } from 'typed-cluster-rpc/testing';

const contract = defineContract({
  worker: {
    add: { input: z.object({ a: z.number(), b: z.number() }), output: z.number() },
  },
});

// Compile-time only: the installed declarations carry the contract's types (not `any`).
export function typesOnly(worker: WorkerHandle<typeof contract>, options: HttpClusterOptions<never>): void {
  // @ts-expect-error a string where the schema wants a number
  void worker.call('add', { a: '2', b: 3 });
  // @ts-expect-error no such procedure
  void worker.call('subtract', { a: 2, b: 3 });
  void options.port;
  void connectMemoryPair;
}

if (cluster.isPrimary) {
  const hub = createPrimary(contract, { timeout: 20_000 });
  const worker = hub.fork();
  const sum: number = await worker.call('add', { a: 2, b: 3 });
  console.log(`consumer: worker ${worker.id} added 2 + 3 = ${sum}; errors are ${RpcError.name}s`);
  await hub.close();
  cluster.disconnect();
} else {
  connectPrimary(contract, { handlers: { add: ({ a, b }) => a + b } });
}
