// The conformance suite: call, timeout, cancel, close and error cases that every transport must
// pass the same way. test/conformance/memory.test.ts runs it over the in-memory pair; an
// integration test runs it over real cluster IPC.
//
// Usage:
//
//   import { registerConformance } from '../conformance/suite.js';
//   registerConformance('cluster (json)', async () => { ...; return { primary, worker, close }; }, { serialization: 'json' });
//
// The factory is called once per test and returns a fresh, connected pair over `testContract`
// (test/fixtures/contract.ts):
//
//   primary  The side that calls the worker procedures: an Endpoint from connectMemoryPair, or a
//            hub's WorkerHandle. Its side must serve `primaryHandlers()` (the worker's `callBack`
//            calls `upper` on it). Endpoint default options, except a timeout of at least 2 s.
//   worker   The worker's Endpoint when it lives in this process (memory), else `undefined` (a forked
//            worker). It must serve `workerHandlers()` (test/fixtures/handlers.ts) with default
//            options. Only used for extra checks on the callee when present.
//   close    Closes the primary's side (`endpoint.close()` or `hub.close()`), so that its pending
//            calls reject with RpcClosedError, and releases everything else (the worker endpoint,
//            forked processes). The suite calls it in some tests and again in teardown: it must
//            be idempotent.
//
// `options.serialization` is the serialization the pair uses; a few cases differ by it.
// Every wait in the suite is bounded; timeout cases use 100 ms timeouts.
import test, { type ExecutionContext } from 'ava';
import {
  RpcClosedError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnknownMethodError,
  RpcUnserializableError,
  RpcValidationError,
  type Caller,
  type EndpointStats,
  type InFlightCall,
  type Serialization,
} from '../../src/index.js';
import type { testContract } from '../fixtures/contract.js';

type TC = typeof testContract;

/** What the suite needs of the calling side: an Endpoint and a WorkerHandle both are this. */
export interface ConformanceCaller {
  readonly call: Caller<TC['worker']>['call'];
  stats(): EndpointStats;
  inFlight(): InFlightCall[];
}

/** A fresh connected pair, as the factory returns it. */
export interface ConformancePair {
  readonly primary: ConformanceCaller;
  readonly worker: { stats(): EndpointStats } | undefined;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  readonly serialization: Serialization;
}

/** Bounds a wait, and keeps the event loop alive while it lasts (the library's call timers are unref'd). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Waits (bounded) until the worker's `cancelled` list has grown by `entry`. */
async function cancelledGains(primary: ConformanceCaller, before: readonly string[], entry: string): Promise<string[]> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const now = await within(primary.call('cancelled'), 5_000, 'cancelled');
    if (now.length > before.length) return now.slice(before.length);
    if (performance.now() > deadline) throw new Error(`the worker never recorded ${entry}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Registers the suite's tests, each titled `[name] …`, over pairs made by `factory`. */
export function registerConformance(name: string, factory: () => Promise<ConformancePair>, options: ConformanceOptions): void {
  const open = async (t: ExecutionContext): Promise<ConformancePair> => {
    const pair = await within(factory(), 10_000, 'the pair');
    t.teardown(() => pair.close());
    return pair;
  };
  const it = (title: string, body: (t: ExecutionContext, pair: ConformancePair) => Promise<void>): void => {
    test(`[${name}] ${title}`, async (t) => body(t, await open(t)));
  };
  const idle = (t: ExecutionContext, pair: ConformancePair): void => {
    t.is(pair.primary.stats().inFlight, 0, 'no call awaits its reply');
    t.deepEqual(pair.primary.inFlight(), []);
  };

  // Calls.
  it('a call resolves to the output of the remote handler', async (t, { primary }) => {
    const sent = primary.stats().callsSent;
    const greeting = await within(primary.call('greet', { name: 'Ada' }), 5_000, 'greet');
    const { pid } = await within(primary.call('stats'), 5_000, 'stats');
    t.is(greeting, `hello Ada from ${pid}`);
    t.is(primary.stats().callsSent - sent, 2);
  });

  it('a call without input resolves to an output that passed its schema', async (t, pair) => {
    const stats = await within(pair.primary.call('stats'), 5_000, 'stats');
    t.is(typeof stats.pid, 'number');
    t.true(stats.handled >= 1);
    t.true(stats.rssBytes > 0);
    idle(t, pair);
  });

  it('plain JSON values round-trip through echo', async (t, pair) => {
    const value = { s: 'text ✓', n: -1.5, b: true, z: null, list: [1, 'two', [3], { four: 4 }], nested: { deep: { deeper: [] } } };
    t.deepEqual(await within(pair.primary.call('echo', value), 5_000, 'echo'), value);
    idle(t, pair);
  });

  it('a handler can call back into the caller before it replies', async (t, pair) => {
    const received = pair.primary.stats().callsReceived;
    t.is(await within(pair.primary.call('callBack', { text: 'nested' }), 5_000, 'callBack'), 'NESTED!');
    t.is(pair.primary.stats().callsReceived - received, 1, 'the callback reached the caller');
    idle(t, pair);
  });

  it('200 concurrent calls each resolve to their own reply', async (t, pair) => {
    const results = await within(Promise.all(Array.from({ length: 200 }, (_, i) => pair.primary.call('echo', { i }))), 5_000, 'echo');
    t.deepEqual(results, Array.from({ length: 200 }, (_, i) => ({ i })));
    idle(t, pair);
  });

  if (options.serialization === 'advanced') {
    it('Date, BigInt, Map, Set, Uint8Array and undefined fields round-trip intact', async (t, pair) => {
      const value = { d: new Date(86_400_000), b: 12345678901234567890n, m: new Map([['k', 1]]), s: new Set(['a']), u: new Uint8Array([9, 8]), missing: undefined };
      const back = (await within(pair.primary.call('echo', value), 5_000, 'echo')) as typeof value;
      t.deepEqual(back, value);
      t.true(back.d instanceof Date && back.m instanceof Map && back.s instanceof Set && back.u instanceof Uint8Array);
      t.true(Object.hasOwn(back, 'missing'));
      idle(t, pair);
    });
  } else {
    it('a Date is refused before sending with RpcUnserializableError naming its path', async (t, pair) => {
      const sent = pair.primary.stats().callsSent;
      const error = await t.throwsAsync(pair.primary.call('echo', { at: new Date() }), { instanceOf: RpcUnserializableError });
      t.is(error?.code, 'RPC_UNSERIALIZABLE');
      t.deepEqual(error?.path, ['at']);
      t.is(pair.primary.stats().callsSent, sent);
    });
  }

  // Errors.
  it('an invalid input rejects with RpcValidationError on the input side', async (t, pair) => {
    const error = await t.throwsAsync(pair.primary.call('greet', { name: 7 } as never), { instanceOf: RpcValidationError });
    t.is(error?.code, 'RPC_VALIDATION');
    t.is(error?.method, 'greet');
    t.is(error?.side, 'input');
    t.deepEqual(error?.issues[0]?.path, ['name']);
    idle(t, pair);
  });

  it('an invalid handler output rejects with RpcValidationError on the output side', async (t, pair) => {
    const error = await t.throwsAsync(pair.primary.call('badOutput'), { instanceOf: RpcValidationError });
    t.is(error?.side, 'output');
    t.deepEqual(error?.issues[0]?.path, ['n']);
    idle(t, pair);
  });

  it('a thrown Error rejects with RpcRemoteError carrying its name, message and stack', async (t, pair) => {
    const remoteErrors = pair.primary.stats().remoteErrors;
    const error = await t.throwsAsync(pair.primary.call('fail', { kind: 'error' }), { instanceOf: RpcRemoteError });
    t.is(error?.code, 'RPC_REMOTE');
    t.is(error?.remoteName, 'RangeError');
    t.is(error?.message, 'a range error');
    t.regex(error?.remoteStack ?? '', /^RangeError: a range error/);
    t.is(pair.primary.stats().remoteErrors - remoteErrors, 1);
    idle(t, pair);
  });

  it('a thrown Error with a code, own fields and a cause keeps all of them', async (t, pair) => {
    const error = await t.throwsAsync(pair.primary.call('fail', { kind: 'coded' }), { instanceOf: RpcRemoteError });
    t.is(error?.remoteCode, 'E_CODED');
    t.is(error?.data?.['detail'], 42);
    t.true(error?.cause instanceof RpcRemoteError);
    t.is((error?.cause as RpcRemoteError).remoteName, 'TypeError');
    t.is((error?.cause as RpcRemoteError).message, 'the cause');
  });

  for (const [kind, message] of [
    ['string', 'a plain string'],
    ['undefined', 'a non-Error value was thrown: undefined'],
    ['object', 'a non-Error value was thrown: {"reason":"an object","n":1}'],
  ] as const) {
    it(`a thrown ${kind} rejects with RpcRemoteError named NonError`, async (t, pair) => {
      const error = await t.throwsAsync(pair.primary.call('fail', { kind }), { instanceOf: RpcRemoteError });
      t.is(error?.remoteName, 'NonError');
      t.is(error?.message, message);
      idle(t, pair);
    });
  }

  it('a method the contract does not have rejects with RpcUnknownMethodError without sending', async (t, pair) => {
    const sent = pair.primary.stats().callsSent;
    const error = await t.throwsAsync((pair.primary.call as (m: string) => Promise<unknown>)('noSuchMethod'), { instanceOf: RpcUnknownMethodError });
    t.is(error?.code, 'RPC_UNKNOWN_METHOD');
    t.is(pair.primary.stats().callsSent, sent);
  });

  // Timeouts.
  it('a call that gets no reply rejects with RpcTimeoutError after its timeout', async (t, pair) => {
    const timeouts = pair.primary.stats().timeouts;
    const started = performance.now();
    const error = await t.throwsAsync(within(pair.primary.call('hang', undefined, { timeout: 100 }), 5_000, 'hang'), { instanceOf: RpcTimeoutError });
    const elapsed = performance.now() - started;
    t.is(error?.code, 'RPC_TIMEOUT');
    t.is(error?.method, 'hang');
    t.is(error?.timeout, 100);
    t.true(elapsed >= 95 && elapsed < 5_000, `after ${elapsed} ms`);
    t.is(pair.primary.stats().timeouts - timeouts, 1);
    idle(t, pair);
  });

  it("a timeout aborts the remote handler's signal with RpcTimeoutError", async (t, pair) => {
    const before = await pair.primary.call('cancelled');
    await t.throwsAsync(within(pair.primary.call('sleep', { ms: 10_000 }, { timeout: 100 }), 5_000, 'sleep'), { instanceOf: RpcTimeoutError });
    t.deepEqual(await cancelledGains(pair.primary, before, 'sleep:RpcTimeoutError'), ['sleep:RpcTimeoutError']);
    if (pair.worker !== undefined) t.is(pair.worker.stats().handling, 0);
    idle(t, pair);
  });

  it('a per-call timeout longer than the work lets the call finish', async (t, pair) => {
    const timeouts = pair.primary.stats().timeouts;
    t.deepEqual(await within(pair.primary.call('sleep', { ms: 20 }, { timeout: 1_000 }), 5_000, 'sleep'), { aborted: false });
    t.is(pair.primary.stats().timeouts, timeouts);
    idle(t, pair);
  });

  it('an invalid timeout is a rejected TypeError, never a synchronous throw', async (t, pair) => {
    const sent = pair.primary.stats().callsSent;
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = pair.primary.call('greet', { name: 'x' }, { timeout: -1 });
    });
    await t.throwsAsync(promise!, { instanceOf: TypeError });
    t.is(pair.primary.stats().callsSent, sent);
  });

  // Cancellation.
  it("aborting the caller's signal rejects with its reason at once", async (t, pair) => {
    const controller = new AbortController();
    const reason = new Error('gave up');
    const call = pair.primary.call('hang', undefined, { signal: controller.signal });
    controller.abort(reason);
    t.is(await t.throwsAsync(within(call, 5_000, 'hang')), reason);
    idle(t, pair);
  });

  it('an already-aborted signal rejects without sending', async (t, pair) => {
    const sent = pair.primary.stats().callsSent;
    const reason = new Error('before');
    t.is(await t.throwsAsync(pair.primary.call('greet', { name: 'x' }, { signal: AbortSignal.abort(reason) })), reason);
    t.is(pair.primary.stats().callsSent, sent);
  });

  it("aborting the caller's signal aborts the remote handler's signal with RpcAbortedError", async (t, pair) => {
    const before = await pair.primary.call('cancelled');
    const controller = new AbortController();
    const call = pair.primary.call('sleep', { ms: 10_000 }, { signal: controller.signal });
    await pair.primary.call('greet', { name: 'x' }); // sent after it: the sleep call has arrived
    controller.abort(new Error('stop'));
    await t.throwsAsync(call, { message: 'stop' });
    t.deepEqual(await cancelledGains(pair.primary, before, 'sleep:RpcAbortedError'), ['sleep:RpcAbortedError']);
    if (pair.worker !== undefined) t.is(pair.worker.stats().handling, 0);
    idle(t, pair);
  });

  // Close.
  it('closing rejects the calls in flight with RpcClosedError at once', async (t, pair) => {
    const pending = [pair.primary.call('hang'), pair.primary.call('sleep', { ms: 10_000 })];
    await pair.primary.call('greet', { name: 'x' });
    const started = performance.now();
    await pair.close();
    for (const call of pending) {
      const error = await t.throwsAsync(within(call, 5_000, 'pending call'), { instanceOf: RpcClosedError });
      t.is(error?.code, 'RPC_CLOSED');
    }
    t.true(performance.now() - started < 5_000, "at once, not after a timeout");
    idle(t, pair);
  });

  it('after closing, a call rejects at once with RpcClosedError', async (t, pair) => {
    await pair.primary.call('greet', { name: 'x' });
    await pair.close();
    const sent = pair.primary.stats().callsSent;
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = pair.primary.call('greet', { name: 'y' });
    });
    const error = await t.throwsAsync(within(promise!, 5_000, 'greet'), { instanceOf: RpcClosedError });
    t.is(error?.code, 'RPC_CLOSED');
    t.is(pair.primary.stats().callsSent, sent);
  });
}
