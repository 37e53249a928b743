// What a caller gets when the remote handler throws: RpcRemoteError with the remote error rebuilt.
import test from 'ava';
import { RpcError, RpcRemoteError } from '../../src/index.js';
import { assertIdle, openPair, SERIALIZATIONS } from '../fixtures/unit-helpers.js';

for (const serialization of SERIALIZATIONS) {
  test(`a handler that throws an Error rejects the caller with RpcRemoteError carrying its name, message and stack (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('fail', { kind: 'error' }), { instanceOf: RpcRemoteError });
    t.true(error instanceof RpcError);
    t.is(error?.code, 'RPC_REMOTE');
    t.is(error?.name, 'RpcRemoteError');
    t.is(error?.method, 'fail');
    t.is(error?.remoteName, 'RangeError');
    t.is(error?.message, 'a range error');
    t.is(error?.remoteCode, undefined);
    t.regex(error?.remoteStack ?? '', /^RangeError: a range error\n\s+at /);
    t.is(error?.data, undefined);
    t.is(error?.cause, undefined);
    t.is(primary.stats().remoteErrors, 1);
    assertIdle(t, primary, worker);
  });

  test(`a handler that throws an Error with a code, own fields and a cause gives remoteCode, data and a rebuilt cause (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('fail', { kind: 'coded' }), { instanceOf: RpcRemoteError });
    t.is(error?.remoteName, 'Error');
    t.is(error?.message, 'coded failure');
    t.is(error?.remoteCode, 'E_CODED');
    t.deepEqual({ ...error?.data }, { detail: 42 });
    t.is(Object.getPrototypeOf(error?.data), null, 'data has no prototype');
    const cause = error?.cause;
    t.true(cause instanceof RpcRemoteError, 'the cause is rebuilt as an RpcRemoteError');
    t.is((cause as RpcRemoteError).remoteName, 'TypeError');
    t.is((cause as RpcRemoteError).message, 'the cause');
    t.regex((cause as RpcRemoteError).remoteStack ?? '', /^TypeError: the cause/);
    assertIdle(t, primary, worker);
  });

  test(`a handler that throws a string rejects with RpcRemoteError named NonError with the string as message (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('fail', { kind: 'string' }), { instanceOf: RpcRemoteError });
    t.is(error?.code, 'RPC_REMOTE');
    t.is(error?.remoteName, 'NonError');
    t.is(error?.message, 'a plain string');
    t.deepEqual({ ...error?.data }, { thrown: 'a plain string' });
    t.is(error?.remoteStack, undefined);
    assertIdle(t, primary, worker);
  });

  test(`a handler that throws undefined rejects with RpcRemoteError saying a non-Error value was thrown (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('fail', { kind: 'undefined' }), { instanceOf: RpcRemoteError });
    t.is(error?.remoteName, 'NonError');
    t.is(error?.message, 'a non-Error value was thrown: undefined');
    t.is(error?.data, undefined);
    assertIdle(t, primary, worker);
  });

  test(`a handler that throws a plain object rejects with RpcRemoteError keeping the object as data (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('fail', { kind: 'object' }), { instanceOf: RpcRemoteError });
    t.is(error?.remoteName, 'NonError');
    t.is(error?.message, 'a non-Error value was thrown: {"reason":"an object","n":1}');
    t.deepEqual({ ...error?.data }, { thrown: { reason: 'an object', n: 1 } });
    assertIdle(t, primary, worker);
  });
}

test('an async handler that rejects is reported like one that throws', async (t) => {
  const { primary, worker } = openPair(t, {
    worker: {
      handlers: {
        greet: async () => {
          await Promise.resolve();
          throw Object.assign(new SyntaxError('late'), { code: 42 });
        },
      },
    },
  });
  const error = await t.throwsAsync(primary.call('greet', { name: 'x' }), { instanceOf: RpcRemoteError });
  t.is(error?.remoteName, 'SyntaxError');
  t.is(error?.message, 'late');
  t.is(error?.remoteCode, '42', 'a numeric code is carried as a string');
  assertIdle(t, primary, worker);
});

test('a handler error whose own fields hold values that cannot cross the wire keeps the ones that can', async (t) => {
  const { primary, worker } = openPair(t, {
    worker: {
      handlers: {
        greet: () => {
          throw Object.assign(new Error('odd'), { fn: () => 1, big: 10n, inf: Infinity, ok: 'yes', when: new Date(0) });
        },
      },
    },
  });
  const error = await t.throwsAsync(primary.call('greet', { name: 'x' }), { instanceOf: RpcRemoteError });
  t.deepEqual({ ...error?.data }, { big: '10', inf: 'Infinity', ok: 'yes', when: '1970-01-01T00:00:00.000Z' });
  assertIdle(t, primary, worker);
});
