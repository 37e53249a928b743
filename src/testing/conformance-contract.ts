// The contract the conformance suite runs over, and its handlers: a transport under test carries
// calls between an endpoint serving `conformanceWorkerHandlers` and one serving
// `conformancePrimaryHandlers`. Its schemas are the small Standard Schema kit beside it, so the
// testing entry needs no validation library.
import { setTimeout as delay } from 'node:timers/promises';
import { defineContract } from '../contract/contract.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Caller, Handlers } from '../endpoint/typed.js';
import { array, boolean, never, number, object, oneOf, string, unknown } from './schemas.js';

/**
 * The conformance suite's contract: the worker side serves the procedures the cases call, the
 * primary side serves `upper`, which the worker's `callBack` calls.
 * @public
 */
export const conformanceContract = defineContract({
  worker: {
    stats: { output: object({ pid: number(), handled: number(), rssBytes: number() }) },
    greet: { input: object({ name: string() }), output: string() },
    echo: { input: unknown(), output: unknown() },
    sleep: { input: object({ ms: number() }), output: object({ aborted: boolean() }) },
    hang: { output: never() },
    fail: { input: object({ kind: oneOf(['error', 'string', 'undefined', 'object', 'coded']) }) },
    badOutput: { output: object({ n: number() }) },
    callBack: { input: object({ text: string() }), output: string() },
    cancelled: { output: array(string()) },
  },
  primary: {
    upper: { input: string(), output: string() },
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
