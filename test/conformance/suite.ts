// Runs the library's conformance suite (conformanceCases, exported from typed-cluster-rpc/testing)
// under ava: test/conformance/memory.test.ts over the in-memory pair, and the integration tests
// over real cluster IPC. See src/testing/conformance-kit.ts for what the factory must return.
//
//   registerConformance('cluster (json)', async () => { ...; return { primary, worker, close }; }, { serialization: 'json' });
import test from 'ava';
import { conformanceCases, type ConformanceOptions, type ConformancePair } from '../../src/testing.js';

export type { ConformancePair } from '../../src/testing.js';

/**
 * Registers the suite's cases as ava tests, each titled `[name] …`, over pairs made by `factory`.
 * `serial`: one case at a time, for pairs drawn from a small pool of processes, so that no case
 * spends its 10 s bound on the pair waiting for another case to give a process back.
 */
export function registerConformance(name: string, factory: () => Promise<ConformancePair>, options: ConformanceOptions, { serial = false } = {}): void {
  const declare = serial ? test.serial : test;
  for (const c of conformanceCases(factory, options)) {
    declare(`[${name}] ${c.title}`, async (t) => {
      await c.run();
      t.pass();
    });
  }
}
