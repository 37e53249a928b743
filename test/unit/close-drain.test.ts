// close() and drain(): what happens to the calls in flight both ways, and to later calls.
import test from 'ava';
import { RpcClosedError, type HandlerContext } from '../../src/index.js';
import { assertIdle, deferred, openPair, until, within } from '../fixtures/unit-helpers.js';

/** A handler that never settles by itself, and reports when it starts and why its signal aborted. */
function watched<T>() {
  const started = deferred();
  const aborted = deferred<unknown>();
  const handler = (_input: unknown, ctx: HandlerContext) =>
    new Promise<T>(() => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      started.resolve();
    });
  return { started, aborted, handler };
}

test("close() rejects this side's pending calls with RpcClosedError at once", async (t) => {
  const { primary } = openPair(t);
  const pending = [primary.call('hang'), primary.call('sleep', { ms: 10_000 })];
  await primary.close();
  for (const call of pending) {
    const error = await t.throwsAsync(call, { instanceOf: RpcClosedError });
    t.is(error?.code, 'RPC_CLOSED');
    t.is(error?.message, 'the endpoint was closed');
  }
  t.is(primary.stats().inFlight, 0);
  t.false(primary.isConnected);
});

test('after close() a call rejects at once with RpcClosedError and emit throws it', async (t) => {
  const { primary } = openPair(t);
  await primary.close();
  let promise: Promise<unknown> | undefined;
  t.notThrows(() => {
    promise = primary.call('greet', { name: 'x' });
  });
  await t.throwsAsync(promise!, { instanceOf: RpcClosedError });
  t.throws(() => primary.emit('ping', { n: 1 }), { instanceOf: RpcClosedError });
  t.is(primary.stats().callsSent, 0);
});

test('close() answers the incoming calls it was handling with RPC_CLOSED', async (t) => {
  const h = watched<{ aborted: boolean }>();
  const { primary, worker } = openPair(t, { worker: { handlers: { sleep: h.handler } } });
  const call = primary.call('sleep', { ms: 0 });
  await within(h.started.promise, 5_000, 'the handler start');
  await worker.close();
  const error = await t.throwsAsync(within(call, 5_000, 'sleep'), { instanceOf: RpcClosedError });
  t.is(error?.code, 'RPC_CLOSED');
  t.regex(error?.message ?? '', /"sleep"/);
  t.is(primary.stats().inFlight, 0);
});

test("close() aborts the signal of the handlers running on the closing side with RpcClosedError", async (t) => {
  const h = watched<{ aborted: boolean }>();
  const { primary, worker } = openPair(t, { worker: { handlers: { sleep: h.handler } } });
  primary.call('sleep', { ms: 0 }).catch(() => {});
  await within(h.started.promise, 5_000, 'the handler start');
  await worker.close();
  const reason = await within(h.aborted.promise, 5_000, 'the abort');
  t.true(reason instanceof RpcClosedError);
  t.is(worker.stats().handling, 0);
});

test("close() aborts the signal of the other side's handlers serving its calls", async (t) => {
  const h = watched<{ aborted: boolean }>();
  const { primary, worker } = openPair(t, { worker: { handlers: { sleep: h.handler } } });
  primary.call('sleep', { ms: 0 }).catch(() => {});
  await within(h.started.promise, 5_000, 'the handler start');
  await primary.close();
  const reason = await within(h.aborted.promise, 5_000, 'the abort');
  t.true(reason instanceof RpcClosedError);
  t.regex((reason as Error).message, /closed its endpoint/);
  t.is(worker.stats().handling, 0);
});

test("after one side closes, the other side's calls reject at once with RpcClosedError saying it closed its endpoint", async (t) => {
  const { primary, worker } = openPair(t);
  await primary.call('greet', { name: 'x' }); // the link is up: both ends have shaken hands
  const gone = deferred();
  await primary.close();
  await within(
    (async () => {
      while (worker.isConnected) await new Promise<void>((resolve) => setImmediate(resolve));
      gone.resolve();
    })(),
    1_000,
    'the worker to notice',
  );
  const error = await t.throwsAsync(worker.call('upper', 'x'), { instanceOf: RpcClosedError });
  t.is(error?.code, 'RPC_CLOSED');
  t.regex(error?.message ?? '', /closed its endpoint/);
  t.is(worker.stats().callsSent, 0);
});

test("a call the closing side never received rejects on the other side with RpcClosedError saying it closed its endpoint", async (t) => {
  const { primary, worker } = openPair(t);
  await primary.call('greet', { name: 'x' }); // the link is up: both ends have shaken hands
  // Sent in the same tick as the close: its frame never reaches the closing end.
  const call = worker.call('upper', 'x');
  await primary.close();
  const error = await t.throwsAsync(within(call, 5_000, 'upper'), { instanceOf: RpcClosedError });
  t.regex(error?.message ?? '', /closed its endpoint/);
  t.is(worker.stats().inFlight, 0);
});

test('close() twice and Symbol.asyncDispose are harmless', async (t) => {
  const { primary } = openPair(t);
  await primary.close();
  await t.notThrowsAsync(primary.close());
  await t.notThrowsAsync(primary[Symbol.asyncDispose]());
});

test('drain() waits for the calls this side made, then closes', async (t) => {
  const { primary, worker } = openPair(t);
  const order: string[] = [];
  const call = primary.call('sleep', { ms: 40 }).then((v) => {
    order.push('call settled');
    return v;
  });
  await within(
    primary.drain().then(() => order.push('drained')),
    2_000,
    'drain',
  );
  t.deepEqual(await call, { aborted: false });
  t.deepEqual(order, ['call settled', 'drained']);
  t.false(primary.isConnected);
  assertIdle(t, primary, worker);
});

test('drain() lets the incoming calls this side is handling finish and reply, then closes', async (t) => {
  const { primary, worker } = openPair(t);
  const call = primary.call('sleep', { ms: 40 });
  await primary.call('greet', { name: 'x' }); // the sleep call has reached its handler
  await within(worker.drain(), 5_000, 'drain');
  t.false(worker.isConnected);
  // Had drain closed before the handler finished, its signal would have aborted and the call failed.
  t.deepEqual(await within(call, 5_000, 'sleep'), { aborted: false });
  assertIdle(t, primary, worker);
});

test('while draining, a new call rejects at once with RpcClosedError', async (t) => {
  const { primary } = openPair(t);
  const slow = primary.call('sleep', { ms: 40 });
  const drained = primary.drain();
  const error = await t.throwsAsync(primary.call('greet', { name: 'x' }), { instanceOf: RpcClosedError });
  t.regex(error?.message ?? '', /draining/);
  await within(drained, 5_000, 'drain');
  t.deepEqual(await slow, { aborted: false });
});

test('while draining, an incoming call is answered with RPC_CLOSED', async (t) => {
  const gate = deferred();
  const started = deferred();
  const { primary, worker } = openPair(t, {
    worker: {
      handlers: {
        sleep: async () => {
          started.resolve();
          await gate.promise;
          return { aborted: false };
        },
      },
    },
  });
  const slow = primary.call('sleep', { ms: 0 });
  await within(started.promise, 5_000, 'the handler start');
  const drained = worker.drain();
  const error = await t.throwsAsync(primary.call('greet', { name: 'y' }), { instanceOf: RpcClosedError });
  t.is(error?.code, 'RPC_CLOSED');
  t.regex(error?.message ?? '', /draining/);
  gate.resolve();
  await within(drained, 5_000, 'drain');
  t.deepEqual(await slow, { aborted: false });
});

test('drain() with a timeout closes at the deadline and rejects what is left with RpcClosedError', async (t) => {
  const { primary } = openPair(t);
  const stuck = primary.call('hang');
  const started = performance.now();
  await within(primary.drain({ timeout: 50 }), 5_000, 'drain');
  const elapsed = performance.now() - started;
  t.true(elapsed >= 45 && elapsed < 5_000, `drained after ${elapsed} ms`);
  const error = await t.throwsAsync(stuck, { instanceOf: RpcClosedError });
  t.is(error?.message, 'the endpoint was drained');
  t.is(primary.stats().inFlight, 0);
});

test('drain() with nothing in flight closes at once', async (t) => {
  const { primary } = openPair(t);
  await within(primary.drain(), 5_000, 'drain');
  t.false(primary.isConnected);
});

test('drain() called twice resolves both times once the calls in flight settle', async (t) => {
  const { primary } = openPair(t);
  const call = primary.call('sleep', { ms: 30 });
  const first = primary.drain();
  const second = primary.drain();
  await within(second, 5_000, 'the second drain');
  await within(first, 2_000, 'the first drain');
  t.deepEqual(await call, { aborted: false });
  t.false(primary.isConnected);
});
