// The contract of the example's HTTP clusters: each worker serves `hello` (beside the cluster's
// built-in `stats`), and anyone may `announce`. Shared by both machines and the admin script.
import { defineContract } from 'typed-cluster-rpc';
import { z } from 'zod';

export const shopContract = defineContract({
  worker: {
    hello: { input: z.object({ from: z.string() }), output: z.string() },
  },
  primary: {},
  events: {
    announce: z.object({ text: z.string() }),
  },
});
