// payloadSize, the call path's lean walk, agrees with inspectPayload (the walk with paths that
// explains a refusal): same estimate, and -1 exactly where inspectPayload finds a problem.
import test from 'ava';
import { inspectPayload, measurePayload, payloadSize, receivedTooLarge, sizeStamp, SIZE_STAMP_FLOOR } from '../../src/protocol/payload.js';

const cyclic: Record<string, unknown> = { a: 1 };
cyclic['self'] = cyclic;
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
const VALUES: unknown[] = [
  undefined, null, true, 0, NaN, Infinity, 10n, 'text', Symbol('s'), () => 1,
  { a: 1, b: 'two', c: [1, 2, { d: null }] }, [undefined], { a: undefined }, new Date(0), /re/, new Uint8Array(300),
  new Map([['k', { v: 1 }]]), new Set([1, 'x']), Promise.resolve(), new WeakMap(), new Point(1, 2), Object.create(null), cyclic,
  { items: Array.from({ length: 50 }, (_, i) => ({ i, s: 'x'.repeat(i) })) },
];

for (const serialization of ['advanced', 'json'] as const) {
  test(`payloadSize refuses exactly what inspectPayload refuses, at several limits (${serialization})`, (t) => {
    for (const limit of [Infinity, 2_000, 50, 5]) {
      for (const [n, value] of VALUES.entries()) {
        const problem = inspectPayload(value, limit, serialization);
        const size = payloadSize(value, limit, serialization);
        t.is(size < 0, problem !== undefined, `value #${n} at limit ${limit}`);
      }
    }
  });
}

test('payloadSize estimates as the walk does, and large objects are stamped with it', (t) => {
  t.is(payloadSize('abc', Infinity, 'json'), 5);
  t.is(payloadSize({ ab: 1 }, Infinity, 'json'), 2 + 2 + 3 + 8);
  t.is(payloadSize({ ab: 1 }, 14, 'json'), -1);
  const large = { s: 'x'.repeat(SIZE_STAMP_FLOOR) };
  const size = payloadSize(large, Infinity, 'advanced');
  t.is(sizeStamp(large, size), size);
  t.is(sizeStamp('x'.repeat(SIZE_STAMP_FLOOR * 2), SIZE_STAMP_FLOOR * 2 + 2), undefined, 'strings are measured by the receiver');
  t.is(sizeStamp({ a: 1 }, 15), undefined, 'small objects carry no stamp');
});

test('receivedTooLarge trusts a stamp, measures strings, and walks unstamped objects only under a small limit', (t) => {
  t.true(receivedTooLarge({}, 5_000, 4_096, 'advanced'), 'the stamp decides');
  t.false(receivedTooLarge({ s: 'x'.repeat(5_000) }, 10, 4_096, 'advanced'), 'the stamp is believed');
  t.true(receivedTooLarge('x'.repeat(5_000), undefined, 4_096, 'json'));
  t.false(receivedTooLarge(12, undefined, 1, 'json'));
  t.true(receivedTooLarge({ s: 'x'.repeat(300) }, undefined, 100, 'json'), 'an unstamped object under a limit below the floor is walked');
  t.false(receivedTooLarge({ s: 'x'.repeat(300) }, undefined, 4_096, 'json'));
});

test('an enumerable key someone added to Object.prototype does not make measurePayload refuse a payload', (t) => {
  const proto = Object.prototype as Record<string, unknown>;
  proto['addedByALibrary'] = () => 1;
  try {
    t.is(typeof measurePayload({ a: 1 }, Infinity, 'json'), 'number');
    t.is(inspectPayload({ a: 1 }, Infinity, 'json'), undefined);
  } finally {
    delete proto['addedByALibrary'];
  }
  t.deepEqual(measurePayload({ f: () => 1 }, Infinity, 'advanced'), { kind: 'unserializable', path: ['f'], detail: 'a function, which no IPC serialization carries' });
});
