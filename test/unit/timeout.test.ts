// Timeouts: the caller rejects at once, the callee's handler sees its signal abort, a late reply is
// dropped and counted, and a bad timeout is a rejected promise, never a synchronous throw.
// Every wait goes through within(): it bounds the wait and keeps the event loop alive, since the
// library's call timers are unref'd.
import test from 'ava';
import { RpcTimeoutError, type HandlerContext } from '../../src/index.js';
import { assertIdle, deferred, openPair, openRawLink, SERIALIZATIONS, within } from '../fixtures/unit-helpers.js';

for (const serialization of SERIALIZATIONS) {
  test(`a call that gets no reply in time rejects with RpcTimeoutError naming the method and the timeout (${serialization})`, async (t) => {
    const { primary } = openPair(t, { serialization, primary: { timeout: 50 } });
    const started = performance.now();
    const error = await t.throwsAsync(within(primary.call('hang'), 5_000, 'hang'), { instanceOf: RpcTimeoutError });
    const elapsed = performance.now() - started;
    t.is(error?.code, 'RPC_TIMEOUT');
    t.is(error?.name, 'RpcTimeoutError');
    t.is(error?.method, 'hang');
    t.is(error?.timeout, 50);
    t.is(error?.message, 'call to "hang" timed out after 50 ms');
    t.true(elapsed >= 45 && elapsed < 5_000, `rejected after ${elapsed} ms`);
    t.is(primary.stats().timeouts, 1);
    t.is(primary.stats().inFlight, 0);
  });
}

test("a timeout aborts the remote handler's ctx.signal with an RpcTimeoutError carrying the timeout", async (t) => {
  const aborted = deferred<unknown>();
  const { primary, worker } = openPair(t, {
    worker: {
      handlers: {
        sleep: (_input, ctx: HandlerContext) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted.resolve(ctx.signal.reason);
              resolve({ aborted: true });
            });
          }),
      },
    },
  });
  await t.throwsAsync(within(primary.call('sleep', { ms: 0 }, { timeout: 40 }), 5_000, 'sleep'), { instanceOf: RpcTimeoutError });
  const reason = await within(aborted.promise, 5_000, 'the remote abort');
  t.true(reason instanceof RpcTimeoutError);
  t.is((reason as RpcTimeoutError).method, 'sleep');
  t.is((reason as RpcTimeoutError).timeout, 40);
  t.is(worker.stats().lateReplies + primary.stats().lateReplies, 0, 'the suppressed reply is never sent');
  // The cancelled handler settled: nothing is left on either side.
  t.is(await primary.call('greet', { name: 'x' }), 'hello x from 1');
  assertIdle(t, primary, worker);
});

test('after a timeout the sleep handler records that its signal aborted with RpcTimeoutError', async (t) => {
  const { primary, worker } = openPair(t);
  await t.throwsAsync(within(primary.call('sleep', { ms: 5_000 }, { timeout: 30 }), 5_000, 'sleep'), { instanceOf: RpcTimeoutError });
  t.deepEqual(await primary.call('cancelled'), ['sleep:RpcTimeoutError']);
  assertIdle(t, primary, worker);
});

test('a reply that arrives after the timeout is dropped and counted as late, and the call settles only once', async (t) => {
  const { endpoint, log, send } = openRawLink(t, { endpoint: { timeout: 40 } });
  let settled = 0;
  const call = endpoint.call('upper', 'abc').finally(() => settled++);
  const frame = await log.next((f) => f['k'] === 'call');
  t.is(frame['m'], 'upper');
  await t.throwsAsync(within(call, 5_000, 'upper'), { instanceOf: RpcTimeoutError });
  const cancel = await log.next((f) => f['k'] === 'cancel');
  t.is(cancel['i'], frame['i']);
  t.is(cancel['r'], 'timeout');
  t.is(cancel['t'], 40);
  send({ k: 'ok', i: frame['i'], p: 'ABC' });
  send({ k: 'ok', i: frame['i'], p: 'ABC' });
  // Frames keep their order: once a later call is answered, the late replies were handled.
  send({ k: 'call', i: 'probe', m: 'greet', p: { name: 'p' } });
  await log.next((f) => f['i'] === 'probe');
  t.is(endpoint.stats().lateReplies, 2);
  t.is(endpoint.stats().timeouts, 1);
  t.is(settled, 1);
  t.is(endpoint.stats().inFlight, 0);
});

test("a per-call timeout shorter than the endpoint's default wins", async (t) => {
  const { primary } = openPair(t, { primary: { timeout: 10_000 } });
  const error = await t.throwsAsync(within(primary.call('hang', undefined, { timeout: 50 }), 5_000, 'hang'), { instanceOf: RpcTimeoutError });
  t.is(error?.timeout, 50);
  t.is(primary.stats().inFlight, 0);
});

test("a per-call timeout longer than the endpoint's default lets a slow call finish", async (t) => {
  const { primary, worker } = openPair(t, { primary: { timeout: 20 } });
  t.deepEqual(await within(primary.call('sleep', { ms: 60 }, { timeout: 2_000 }), 5_000, 'sleep'), { aborted: false });
  t.is(primary.stats().timeouts, 0);
  assertIdle(t, primary, worker);
});

test('a per-call timeout of Infinity disables the timeout', async (t) => {
  const { primary, worker } = openPair(t, { primary: { timeout: 20 } });
  t.deepEqual(await within(primary.call('sleep', { ms: 60 }, { timeout: Infinity }), 5_000, 'sleep'), { aborted: false });
  assertIdle(t, primary, worker);
});

test('a timeout longer than setTimeout can hold (2^31 ms) does not fire at once', async (t) => {
  const { primary, worker } = openPair(t);
  t.deepEqual(await within(primary.call('sleep', { ms: 30 }, { timeout: 2 ** 31 }), 5_000, 'sleep'), { aborted: false });
  t.is(primary.stats().timeouts, 0);
  assertIdle(t, primary, worker);
});

for (const bad of [0, -1, Number.NaN, 'x', null]) {
  test(`a call with timeout ${String(bad)} returns a promise rejected with TypeError and sends nothing`, async (t) => {
    const { primary, worker } = openPair(t);
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = primary.call('greet', { name: 'x' }, { timeout: bad as number });
    });
    const error = await t.throwsAsync(promise!, { instanceOf: TypeError });
    t.regex(error?.message ?? '', /timeout must be a positive number of milliseconds or Infinity/);
    t.is(primary.stats().callsSent, 0);
    t.is(await primary.call('greet', { name: 'y' }), 'hello y from 1');
    t.is(worker.stats().callsReceived, 1);
    assertIdle(t, primary, worker);
  });
}

test('call options that are not an object give a rejected TypeError, not a throw', async (t) => {
  const { primary } = openPair(t);
  let promise: Promise<unknown> | undefined;
  t.notThrows(() => {
    promise = primary.call('greet', { name: 'x' }, 5 as never);
  });
  await t.throwsAsync(promise!, { instanceOf: TypeError, message: /options must be an object/ });
  t.is(primary.stats().callsSent, 0);
});
