// Both IPC serializations over real workers: 'json' refuses what it would change, 'advanced' carries it intact.
import test from 'ava';
import { RpcUnserializableError } from '../../src/index.js';
import { BOUND, startHub, withTimeout } from './helpers.js';

test("a hub with 'json' serialization forks workers that answer calls", async (t) => {
  const { fork, logs } = startHub(t, { serialization: 'json' });
  const handle = fork();
  await logs.ready(handle);
  t.is(await withTimeout(handle.call('greet', { name: 'Ada' }), BOUND.reply, 'greet'), `hello Ada from ${handle.pid}`);
  t.deepEqual(await withTimeout(handle.call('echo', { a: [1, 'two', null], b: { c: true } }), BOUND.reply, 'echo'), { a: [1, 'two', null], b: { c: true } });
});

test("a Date sent over 'json' serialization is refused before sending with RPC_UNSERIALIZABLE", async (t) => {
  const { fork, logs } = startHub(t, { serialization: 'json' });
  const handle = fork();
  await logs.ready(handle);
  const error = await t.throwsAsync(handle.call('echo', { when: new Date(0) }), { instanceOf: RpcUnserializableError });
  t.like(error, { code: 'RPC_UNSERIALIZABLE', method: 'echo' });
  t.deepEqual(error?.path, ['when']);
  t.is(handle.stats().callsSent, 0);
  t.is(handle.stats().inFlight, 0);
});

test("'advanced' serialization round-trips Date, BigInt, Map, Set, Uint8Array and an undefined field intact", async (t) => {
  const { fork, logs } = startHub(t, { serialization: 'advanced' });
  const handle = fork();
  await logs.ready(handle);
  const value = {
    when: new Date(1_700_000_000_000),
    big: 2n ** 70n,
    map: new Map<unknown, unknown>([['a', 1], [2, { b: new Date(5) }]]),
    set: new Set([1, 'x', 3n]),
    bytes: new Uint8Array([0, 1, 254, 255]),
    missing: undefined,
  };
  const echoed = (await withTimeout(handle.call('echo', value), BOUND.reply, 'echo')) as typeof value;
  t.deepEqual(echoed, value);
  t.true(echoed.when instanceof Date);
  t.is(typeof echoed.big, 'bigint');
  t.true(echoed.map instanceof Map);
  t.true(echoed.set instanceof Set);
  t.true(echoed.bytes instanceof Uint8Array);
  t.true(Object.hasOwn(echoed, 'missing'));
  t.is(echoed.missing, undefined);
});
