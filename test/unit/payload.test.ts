// inspectPayload on its own: the size estimate and the 'json' refusals with their paths.
import test from 'ava';
import { inspectPayload } from '../../src/protocol/payload.js';

test('small primitives and undefined pass under any limit', (t) => {
  for (const value of [undefined, null, true, false]) t.is(inspectPayload(value, 1, 'json'), undefined);
});

test('a payload over the limit is reported as too large', (t) => {
  t.deepEqual(inspectPayload('x'.repeat(100), 50, 'advanced'), { kind: 'too-large' });
  t.deepEqual(inspectPayload({ a: 'x'.repeat(100) }, 50, 'json'), { kind: 'too-large' });
  t.deepEqual(inspectPayload(new Uint8Array(100), 50, 'advanced'), { kind: 'too-large' });
  t.is(inspectPayload('x'.repeat(10), 50, 'advanced'), undefined);
});

test('the size estimate stops reading as soon as the limit is passed', (t) => {
  let reads = 0;
  const big: Record<string, string> = {};
  for (let i = 0; i < 1_000; i++) {
    Object.defineProperty(big, `k${i}`, {
      enumerable: true,
      get() {
        reads++;
        return 'x'.repeat(100);
      },
    });
  }
  t.deepEqual(inspectPayload(big, 500, 'advanced'), { kind: 'too-large' });
  t.true(reads <= 6, `${reads} values read`);
});

test('the size estimate of a huge array stops early', (t) => {
  let reads = 0;
  const huge = new Proxy(new Array(1_000_000).fill('abcdefgh'), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  t.deepEqual(inspectPayload(huge, 1_000, 'advanced'), { kind: 'too-large' });
  t.true(reads <= 100, `${reads} elements read`);
});

const JSON_REFUSALS: readonly [string, unknown, RegExp][] = [
  ['a Date', new Date(0), /Date, which JSON turns into a string/],
  ['a RegExp', /x/, /RegExp/],
  ['a BigInt', 1n, /BigInt/],
  ['a Map', new Map(), /Map, which JSON turns into \{\}/],
  ['a Set', new Set(), /Set, which JSON turns into \{\}/],
  ['a Uint8Array', new Uint8Array(1), /Uint8Array/],
  ['an ArrayBuffer', new ArrayBuffer(1), /ArrayBuffer/],
  ['NaN', Number.NaN, /NaN, which JSON turns into null/],
  ['-Infinity', -Infinity, /-Infinity/],
];

for (const [what, value, detail] of JSON_REFUSALS) {
  test(`with 'json' ${what} is refused with its path`, (t) => {
    const problem = inspectPayload({ outer: [{ inner: value }] }, Infinity, 'json');
    t.is(problem?.kind, 'unserializable');
    t.deepEqual(problem?.kind === 'unserializable' ? problem.path : undefined, ['outer', 0, 'inner']);
    t.regex(problem?.kind === 'unserializable' ? problem.detail : '', detail);
  });

  test(`with 'advanced' ${what} passes`, (t) => {
    t.is(inspectPayload({ outer: [{ inner: value }] }, Infinity, 'advanced'), undefined);
  });
}

test("with 'json' the root itself can be refused, with an empty path", (t) => {
  const problem = inspectPayload(new Date(), Infinity, 'json');
  t.deepEqual(problem, { kind: 'unserializable', path: [], detail: 'a Date, which JSON turns into a string' });
});

test("with 'json' undefined is refused in an array and allowed as an object field", (t) => {
  t.deepEqual(inspectPayload([undefined], Infinity, 'json'), { kind: 'unserializable', path: [0], detail: 'undefined in an array, which JSON turns into null' });
  t.is(inspectPayload({ a: undefined }, Infinity, 'json'), undefined);
});

test('functions, symbols, promises and weak collections are refused by both serializations', (t) => {
  for (const serialization of ['json', 'advanced'] as const) {
    for (const value of [() => 1, Symbol('s'), Promise.resolve(), new WeakMap(), new WeakSet()]) {
      const problem = inspectPayload({ v: value }, Infinity, serialization);
      t.is(problem?.kind, 'unserializable', `${String(value)} over ${serialization}`);
      t.deepEqual(problem?.kind === 'unserializable' ? problem.path : undefined, ['v']);
    }
  }
});

test('a Map entry is named by its key in the path', (t) => {
  const problem = inspectPayload({ m: new Map([['key', { f: () => 1 }]]) }, Infinity, 'advanced');
  t.deepEqual(problem?.kind === 'unserializable' ? problem.path : undefined, ['m', 'key', 'f']);
});

test('a cycle is refused instead of looping forever', (t) => {
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const problem = inspectPayload(cyclic, Infinity, 'json');
  t.is(problem?.kind, 'unserializable');
  t.regex(problem?.kind === 'unserializable' ? problem.detail : '', /cycle/);
});

test('the path of a problem is not shared with a later walk', (t) => {
  const first = inspectPayload({ a: { b: () => 1 } }, Infinity, 'json');
  const second = inspectPayload({ c: () => 1 }, Infinity, 'json');
  t.deepEqual(first?.kind === 'unserializable' ? first.path : undefined, ['a', 'b']);
  t.deepEqual(second?.kind === 'unserializable' ? second.path : undefined, ['c']);
});
