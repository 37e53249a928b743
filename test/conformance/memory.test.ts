// The conformance suite over the in-memory transport pair, with both serializations.
import type { Endpoint } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';
import { registerConformance, type ConformancePair } from './suite.js';

type TC = typeof testContract;

for (const serialization of ['advanced', 'json'] as const) {
  registerConformance(
    `memory, ${serialization}`,
    async (): Promise<ConformancePair> => {
      const pair: { primary: Endpoint<TC['worker'], TC['events']>; worker: Endpoint<TC['primary'], TC['events']> } = connectMemoryPair(testContract, {
        serialization,
        primary: { handlers: primaryHandlers() },
        worker: { handlers: workerHandlers(() => pair.worker, 1) },
      });
      return {
        primary: pair.primary,
        worker: pair.worker,
        close: async () => {
          await pair.primary.close();
          await pair.worker.close();
        },
      };
    },
    { serialization },
  );
}
