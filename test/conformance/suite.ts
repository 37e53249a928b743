// Runs the library's conformance suite (conformanceCases, exported from typed-cluster-rpc/testing)
// under ava: test/conformance/memory.test.ts over the in-memory pair, and the integration tests
// over real cluster IPC. See src/testing/conformance-kit.ts for what the factory must return.
//
//   registerConformance('cluster (json)', async () => { ...; return { primary, worker, close }; }, { serialization: 'json' });
import test from 'ava';
import { conformanceCases, type ConformanceOptions, type ConformancePair } from '../../src/testing.js';

export type { ConformancePair } from '../../src/testing.js';

/** Registers the suite's cases as ava tests, each titled `[name] …`, over pairs made by `factory`. */
export function registerConformance(name: string, factory: () => Promise<ConformancePair>, options: ConformanceOptions): void {
  for (const c of conformanceCases(factory, options)) {
    test(`[${name}] ${c.title}`, async (t) => {
      await c.run();
      t.pass();
    });
  }
}
