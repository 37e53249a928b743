// What crosses each serialization intact, and what is refused before sending.
import test from 'ava';
import { RpcUnserializableError } from '../../src/index.js';
import { assertIdle, openPair } from '../fixtures/unit-helpers.js';

test("with 'advanced' a value holding Date, BigInt, Map, Set, Uint8Array and an undefined field round-trips intact", async (t) => {
  const { primary, worker } = openPair(t, { serialization: 'advanced' });
  const value = {
    when: new Date('2024-02-29T12:00:00.000Z'),
    big: 2n ** 70n,
    map: new Map<string, unknown>([['a', 1], ['b', new Date(0)]]),
    set: new Set([1, 'two', 3n]),
    bytes: new Uint8Array([0, 1, 254, 255]),
    missing: undefined,
    nested: [{ deeper: new Map([[1, new Set(['x'])]]) }],
  };
  const back = (await primary.call('echo', value)) as typeof value;
  t.not(back, value, 'a copy crossed the wire');
  t.deepEqual(back, value);
  t.true(back.when instanceof Date);
  t.is(back.when.getTime(), value.when.getTime());
  t.is(typeof back.big, 'bigint');
  t.true(back.map instanceof Map);
  t.true(back.set instanceof Set);
  t.true(back.bytes instanceof Uint8Array);
  t.true(Object.hasOwn(back, 'missing'), 'the undefined field is kept');
  t.is(back.missing, undefined);
  assertIdle(t, primary, worker);
});

const REFUSED_BY_JSON: readonly [string, unknown][] = [
  ['a Date', new Date(0)],
  ['a BigInt', 1n],
  ['a Map', new Map([['a', 1]])],
  ['a Set', new Set([1])],
  ['a Uint8Array', new Uint8Array([1, 2])],
  ['NaN', Number.NaN],
  ['Infinity', Infinity],
];

for (const [what, bad] of REFUSED_BY_JSON) {
  test(`with 'json' ${what} in an input is refused before sending with RpcUnserializableError naming its path`, async (t) => {
    const { primary, worker } = openPair(t, { serialization: 'json' });
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = primary.call('echo', { list: [0, { bad }] });
    });
    const error = await t.throwsAsync(promise!, { instanceOf: RpcUnserializableError });
    t.is(error?.code, 'RPC_UNSERIALIZABLE');
    t.is(error?.method, 'echo');
    t.deepEqual(error?.path, ['list', 1, 'bad']);
    t.regex(error?.message ?? '', /payload of "echo" at list\.1\.bad: /);
    t.is(primary.stats().callsSent, 0);
    await primary.call('echo', 1);
    t.is(worker.stats().callsReceived, 1, 'only the valid call reached the callee');
    assertIdle(t, primary, worker);
  });
}

test("with 'json' an undefined inside an array is refused, since JSON would turn it into null", async (t) => {
  const { primary } = openPair(t, { serialization: 'json' });
  const error = await t.throwsAsync(primary.call('echo', [1, undefined]), { instanceOf: RpcUnserializableError });
  t.deepEqual(error?.path, [1]);
});

test("with 'json' an undefined object field is allowed and dropped, as JSON does", async (t) => {
  const { primary, worker } = openPair(t, { serialization: 'json' });
  const back = await primary.call('echo', { a: 1, gone: undefined });
  t.deepEqual(back, { a: 1 });
  t.false(Object.hasOwn(back as object, 'gone'));
  assertIdle(t, primary, worker);
});

test("with 'json' a handler output JSON cannot carry is refused on the callee and reported to the caller", async (t) => {
  const { primary, worker } = openPair(t, { serialization: 'json', worker: { handlers: { echo: () => ({ at: new Date(0) }) } } });
  const error = await t.throwsAsync(primary.call('echo', 1), { instanceOf: RpcUnserializableError });
  t.is(error?.code, 'RPC_UNSERIALIZABLE');
  t.is(error?.method, 'echo');
  t.deepEqual(error?.path, ['at']);
  assertIdle(t, primary, worker);
});

for (const serialization of ['advanced', 'json'] as const) {
  test(`a function in a payload is refused with RpcUnserializableError (${serialization})`, async (t) => {
    const { primary } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('echo', { deep: { fn: () => 1 } }), { instanceOf: RpcUnserializableError });
    t.deepEqual(error?.path, ['deep', 'fn']);
    t.regex(error?.message ?? '', /function/);
    t.is(primary.stats().callsSent, 0);
  });

  test(`a symbol or a promise in a payload is refused with RpcUnserializableError (${serialization})`, async (t) => {
    const { primary } = openPair(t, { serialization });
    const sym = await t.throwsAsync(primary.call('echo', { s: Symbol('x') }), { instanceOf: RpcUnserializableError });
    t.deepEqual(sym?.path, ['s']);
    const pending = Promise.resolve(1);
    const prom = await t.throwsAsync(primary.call('echo', [pending]), { instanceOf: RpcUnserializableError });
    t.deepEqual(prom?.path, [0]);
    t.is(primary.stats().callsSent, 0);
  });

  test(`an event payload that cannot be carried makes emit throw RpcUnserializableError (${serialization})`, async (t) => {
    const { primary } = openPair(t, { serialization });
    const error = t.throws(() => primary.emit('ping', { n: 1, f: () => 0 } as never), { instanceOf: RpcUnserializableError });
    t.is(error?.method, 'ping');
    t.deepEqual(error?.path, ['f']);
    t.is(primary.stats().eventsSent, 0);
  });
}

test("with 'json' a Date in an event payload makes emit throw RpcUnserializableError", async (t) => {
  const { primary } = openPair(t, { serialization: 'json' });
  const error = t.throws(() => primary.emit('ping', { n: 1, at: new Date() } as never), { instanceOf: RpcUnserializableError });
  t.deepEqual(error?.path, ['at']);
});
