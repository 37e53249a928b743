// The stats contract: workers do some work and report on it.
import { defineContract } from 'typed-cluster-rpc';
import { z } from 'zod';

export const statsContract = defineContract({
  worker: {
    work: { input: z.object({ iterations: z.number().int().positive() }), output: z.number() },
    stats: {
      output: z.object({
        pid: z.number(),
        handled: z.number(),
        rssBytes: z.number(),
        uptimeMs: z.number(),
      }),
    },
  },
});
