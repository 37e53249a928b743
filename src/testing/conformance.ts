// The conformance suite as data: the call, error, timeout, cancel and close cases every transport
// must pass the same way, each a title and a function that rejects (node:assert) when the
// transport misbehaves. Runs under any test runner; depends on none.
import { callCases } from './conformance-calls.js';
import { within, type ConformanceCase, type ConformanceOptions, type ConformancePair, type DeclareCase } from './conformance-kit.js';
import { lifecycleCases } from './conformance-lifecycle.js';

/**
 * The conformance suite's cases over pairs made by `factory` (called once per case). Register
 * each as a test of your runner; every wait in the suite is bounded.
 * @example
 * ```ts
 * for (const c of conformanceCases(makePair, { serialization: 'json' })) test(c.title, () => c.run());
 * ```
 * @public
 */
export function conformanceCases(factory: () => Promise<ConformancePair>, options: ConformanceOptions): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const declare: DeclareCase = (title, body) => {
    cases.push({
      title,
      run: async () => {
        const pair = await within(factory(), 10_000, 'the pair');
        try {
          await body(pair);
        } finally {
          await pair.close();
        }
      },
    });
  };
  callCases(declare, options);
  lifecycleCases(declare);
  return cases;
}
