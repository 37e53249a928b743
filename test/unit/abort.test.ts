// Cancellation by the caller's AbortSignal.
import test from 'ava';
import { RpcAbortedError, RpcTimeoutError, type HandlerContext } from '../../src/index.js';
import { assertIdle, countingSignal, deferred, openPair, SERIALIZATIONS, within } from '../fixtures/unit-helpers.js';

/** The worker's sleep handler, replaced by one that reports when it starts and why it aborted. */
function abortable() {
  const started = deferred();
  const aborted = deferred<unknown>();
  const sleep = (_input: { ms: number }, ctx: HandlerContext) =>
    new Promise<{ aborted: boolean }>((resolve) => {
      started.resolve();
      ctx.signal.addEventListener('abort', () => {
        aborted.resolve(ctx.signal.reason);
        resolve({ aborted: true });
      });
    });
  return { started, aborted, sleep };
}

for (const serialization of SERIALIZATIONS) {
  test(`aborting the signal rejects the call with signal.reason at once (${serialization})`, async (t) => {
    const { primary } = openPair(t, { serialization });
    const controller = new AbortController();
    const reason = new Error('user gave up');
    const call = primary.call('hang', undefined, { signal: controller.signal });
    controller.abort(reason);
    const error = await t.throwsAsync(within(call, 5_000, 'hang'));
    t.is(error, reason, 'the very reason object');
    t.is(primary.stats().inFlight, 0);
    t.is(primary.stats().timeouts, 0);
  });
}

test('an abort without a reason rejects with the signal’s default AbortError reason', async (t) => {
  const { primary } = openPair(t);
  const controller = new AbortController();
  const call = primary.call('hang', undefined, { signal: controller.signal });
  controller.abort();
  const error = await within(call, 5_000, 'hang').then(
    () => undefined,
    (reason: unknown) => reason,
  );
  t.is(error, controller.signal.reason);
  t.true(error instanceof DOMException);
  t.is((error as DOMException).name, 'AbortError');
});

test('an already-aborted signal rejects with its reason without sending the call', async (t) => {
  const { primary, worker } = openPair(t);
  const reason = new Error('too late');
  let promise: Promise<unknown> | undefined;
  t.notThrows(() => {
    promise = primary.call('greet', { name: 'x' }, { signal: AbortSignal.abort(reason) });
  });
  t.is(await t.throwsAsync(promise!), reason);
  t.is(primary.stats().callsSent, 0);
  t.is(await primary.call('greet', { name: 'y' }), 'hello y from 1');
  t.is(worker.stats().callsReceived, 1, 'only the second call reached the callee');
  assertIdle(t, primary, worker);
});

test("aborting the caller's signal aborts the remote handler's ctx.signal with RpcAbortedError", async (t) => {
  const h = abortable();
  const { primary, worker } = openPair(t, { worker: { handlers: { sleep: h.sleep } } });
  const controller = new AbortController();
  const call = primary.call('sleep', { ms: 0 }, { signal: controller.signal });
  await within(h.started.promise, 5_000, 'the handler start');
  controller.abort(new Error('stop'));
  await t.throwsAsync(call, { message: 'stop' });
  const remote = await within(h.aborted.promise, 5_000, 'the remote abort');
  t.true(remote instanceof RpcAbortedError);
  t.is((remote as RpcAbortedError).code, 'RPC_ABORTED');
  t.regex((remote as Error).message, /the caller aborted its call to "sleep"/);
  t.is(await primary.call('greet', { name: 'x' }), 'hello x from 1');
  t.is(primary.stats().lateReplies, 0, 'the aborted handler’s result is not sent');
  assertIdle(t, primary, worker);
});

test('after an abort the sleep handler records that its signal aborted with RpcAbortedError', async (t) => {
  const { primary, worker } = openPair(t);
  const controller = new AbortController();
  const call = primary.call('sleep', { ms: 5_000 }, { signal: controller.signal });
  // A round trip sent after the call returns after the call has reached its handler.
  await primary.call('greet', { name: 'x' });
  controller.abort(new Error('stop'));
  await t.throwsAsync(call, { message: 'stop' });
  t.deepEqual(await primary.call('cancelled'), ['sleep:RpcAbortedError']);
  assertIdle(t, primary, worker);
});

test('a call that resolves removes its abort listener from the signal', async (t) => {
  const { primary, worker } = openPair(t);
  const counted = countingSignal(new AbortController());
  t.is(await primary.call('greet', { name: 'x' }, { signal: counted.signal }), 'hello x from 1');
  t.is(counted.added, 1);
  t.is(counted.active, 0);
  assertIdle(t, primary, worker);
});

test('a call that rejects removes its abort listener from the signal', async (t) => {
  const { primary, worker } = openPair(t);
  const counted = countingSignal(new AbortController());
  await t.throwsAsync(primary.call('fail', { kind: 'error' }, { signal: counted.signal }));
  t.is(counted.added, 1);
  t.is(counted.active, 0);
  assertIdle(t, primary, worker);
});

test('a call that times out removes its abort listener from the signal', async (t) => {
  const { primary } = openPair(t);
  const counted = countingSignal(new AbortController());
  await t.throwsAsync(within(primary.call('hang', undefined, { signal: counted.signal, timeout: 30 }), 5_000, 'hang'), {
    instanceOf: RpcTimeoutError,
  });
  t.is(counted.added, 1);
  t.is(counted.active, 0);
});

test('one signal shared by many calls holds no listener once they have all settled', async (t) => {
  const { primary, worker } = openPair(t);
  const counted = countingSignal(new AbortController());
  await Promise.all(Array.from({ length: 10 }, (_, i) => primary.call('greet', { name: String(i) }, { signal: counted.signal })));
  // One listener however many calls share the signal (Node warns past ten), removed at the end.
  t.is(counted.added, 1);
  t.is(counted.active, 0);
  assertIdle(t, primary, worker);
});

test('a signal that is not an AbortSignal gives a rejected TypeError', async (t) => {
  const { primary } = openPair(t);
  let promise: Promise<unknown> | undefined;
  t.notThrows(() => {
    promise = primary.call('greet', { name: 'x' }, { signal: { aborted: false } as AbortSignal });
  });
  await t.throwsAsync(promise!, { instanceOf: TypeError, message: /signal must be an AbortSignal/ });
});
