// The contract the conformance suite runs over, and its handlers: a transport under test carries
// calls between an endpoint serving `conformanceWorkerHandlers` and one serving
// `conformancePrimaryHandlers`. Uses only the public surface of the library.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { defineContract } from '../contract/contract.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Caller, Handlers } from '../endpoint/typed.js';

/**
 * The conformance suite's contract: the worker side serves the procedures the cases call, the
 * primary side serves `upper`, which the worker's `callBack` calls.
 * @public
 */
export const conformanceContract = defineContract({
  worker: {
    stats: { output: z.object({ pid: z.number(), handled: z.number(), rssBytes: z.number() }) },
    greet: { input: z.object({ name: z.string() }), output: z.string() },
    echo: { input: z.unknown(), output: z.unknown() },
    sleep: { input: z.object({ ms: z.number() }), output: z.object({ aborted: z.boolean() }) },
    hang: { output: z.never() },
    fail: { input: z.object({ kind: z.enum(['error', 'string', 'undefined', 'object', 'coded']) }) },
    badOutput: { output: z.object({ n: z.number() }) },
    callBack: { input: z.object({ text: z.string() }), output: z.string() },
    cancelled: { output: z.array(z.string()) },
  },
  primary: {
    upper: { input: z.string(), output: z.string() },
  },
});

/**
 * The type of {@link conformanceContract}.
 * @public
 */
export type ConformanceContract = typeof conformanceContract;

/**
 * Handlers of the conformance contract's worker side. `primary` returns the endpoint a handler
 * calls back into the primary with; `pid` is what `greet` and `stats` report.
 * @public
 */
export function conformanceWorkerHandlers(primary: () => Caller<ConformanceContract['primary']>, pid = process.pid): Handlers<ConformanceContract['worker'], HandlerContext> {
  let handled = 0;
  const cancelled: string[] = [];
  return {
    stats: () => ({ pid, handled: ++handled, rssBytes: process.memoryUsage().rss }),
    greet: ({ name }) => `hello ${name} from ${pid}`,
    echo: (value) => value,
    sleep: async ({ ms }, ctx) => {
      try {
        await delay(ms, undefined, { signal: ctx.signal });
        return { aborted: false };
      } catch {
        cancelled.push(`${ctx.method}:${(ctx.signal.reason as Error | undefined)?.name}`);
        return { aborted: true };
      }
    },
    hang: () => new Promise<never>(() => {}),
    fail: ({ kind }) => {
      switch (kind) {
        case 'string':
          throw 'a plain string';
        case 'undefined':
          throw undefined;
        case 'object':
          throw { reason: 'an object', n: 1 };
        case 'coded':
          throw Object.assign(new Error('coded failure', { cause: new TypeError('the cause') }), { code: 'E_CODED', detail: 42 });
        default:
          throw new RangeError('a range error');
      }
    },
    badOutput: () => ({ n: 'not a number' }) as never,
    callBack: async ({ text }) => `${await primary().call('upper', text)}!`,
    cancelled: () => cancelled,
  };
}

/**
 * Handlers of the conformance contract's primary side.
 * @public
 */
export function conformancePrimaryHandlers(): Handlers<ConformanceContract['primary'], HandlerContext> {
  return {
    upper: (text) => text.toUpperCase(),
  };
}
