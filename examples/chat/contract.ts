// The chat contract: imported by the primary and by every worker.
import { defineContract } from 'typed-cluster-rpc';
import { z } from 'zod';

export const chat = defineContract({
  // Served by every worker; the primary calls them.
  worker: {
    greet: {
      input: z.object({ from: z.string(), text: z.string() }),
      output: z.object({ pid: z.number(), reply: z.string() }),
    },
  },
  // Served by the primary; workers call them.
  primary: {
    say: { input: z.object({ text: z.string() }), output: z.object({ heardBy: z.number() }) },
  },
  // One-way messages. From the primary they reach every worker.
  events: {
    announcement: z.object({ text: z.string(), at: z.date() }),
    heard: z.object({ text: z.string() }),
  },
});
