// Handlers that fail in unusual ways: a broken thenable, a thrown value that cannot be printed.
// Whatever a handler does, the caller gets an answer and the callee's process does not crash.
import test from 'ava';
import { RpcRemoteError } from '../../src/index.js';
import { assertIdle, openPair, within } from '../fixtures/unit-helpers.js';

test('a handler returning a thenable whose then() throws rejects the caller with RpcRemoteError instead of leaving it pending', async (t) => {
  const { primary, worker } = openPair(t, {
    primary: { timeout: 20_000 },
    worker: {
      handlers: {
        greet: () =>
          ({
            then() {
              throw new Error('broken thenable');
            },
          }) as unknown as PromiseLike<string>,
      },
    },
  });
  // within() keeps the event loop alive: the call's own timer is unref'd.
  const error = await t.throwsAsync(within(primary.call('greet', { name: 'x' }), 30_000, 'the call'), { instanceOf: RpcRemoteError });
  t.is(error?.message, 'broken thenable');
  assertIdle(t, primary, worker);
});

/** A value whose String() and JSON.stringify() both throw. */
function unprintable(): unknown {
  const value: Record<string, unknown> = Object.create(null);
  value['self'] = value;
  return value;
}

test('a handler that throws a value that cannot be printed still rejects the caller with RpcRemoteError', async (t) => {
  const { primary } = openPair(t, {
    primary: { timeout: 20_000 },
    worker: {
      handlers: {
        greet: () => {
          throw unprintable();
        },
      },
    },
  });
  const error = await t.throwsAsync(within(primary.call('greet', { name: 'x' }), 30_000, 'greet'), { instanceOf: RpcRemoteError });
  t.is(error?.remoteName, 'NonError');
  t.is(primary.stats().inFlight, 0);
});

test('an async handler that rejects with a value that cannot be printed rejects the caller and causes no unhandled rejection', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => process.off('unhandledRejection', onUnhandled));
  const { primary } = openPair(t, {
    primary: { timeout: 20_000 },
    worker: {
      handlers: {
        greet: async () => {
          throw unprintable();
        },
      },
    },
  });
  const error = await t.throwsAsync(within(primary.call('greet', { name: 'x' }), 30_000, 'greet'), { instanceOf: RpcRemoteError });
  t.is(error?.remoteName, 'NonError');
  await new Promise<void>((resolve) => setImmediate(resolve));
  t.deepEqual(unhandled, [], 'no unhandled rejection in the callee');
});
