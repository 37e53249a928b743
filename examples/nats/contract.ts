// The contract every member of the example's namespace shares: workers (and each machine's
// primary) serve `stats` and `hello`; the admin script plays the other side and serves nothing.
import { defineContract } from 'typed-cluster-rpc';
import { z } from 'zod';

export const shopContract = defineContract({
  worker: {
    stats: { output: z.object({ machine: z.string(), role: z.enum(['primary', 'worker']), pid: z.number(), requests: z.number(), uptimeMs: z.number() }) },
    hello: { input: z.object({ from: z.string() }), output: z.string() },
  },
  primary: {},
  events: {
    announce: z.object({ text: z.string() }),
  },
});
