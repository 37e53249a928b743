import test from 'ava';
import { checkBoolean, checkCount, checkDuration, checkOneOf, checkOptions, checkSerialization, checkTimeout, describe, MAX_TIMER_DELAY } from '../../src/checks.js';

test('a timeout is a positive number of milliseconds or Infinity, and may exceed the timer limit', (t) => {
  t.is(checkTimeout('f', 1), 1);
  t.is(checkTimeout('f', Infinity), Infinity);
  t.is(checkTimeout('f', MAX_TIMER_DELAY * 2), MAX_TIMER_DELAY * 2);
  for (const bad of [0, -1, Number.NaN, '5', undefined]) {
    t.throws(() => checkTimeout('f', bad), { instanceOf: TypeError, message: /^f: timeout must be a positive number of milliseconds or Infinity, got / });
  }
});

test('a bounded duration is finite, positive and at most MAX_TIMER_DELAY', (t) => {
  t.is(checkDuration('g', 'interval', MAX_TIMER_DELAY, false), MAX_TIMER_DELAY);
  for (const bad of [0, Infinity, MAX_TIMER_DELAY + 1, Number.NaN]) {
    t.throws(() => checkDuration('g', 'interval', bad, false), { message: `g: interval must be a positive number of milliseconds up to ${MAX_TIMER_DELAY}, got ${describe(bad)}` });
  }
});

test('counts, booleans and choices name what was expected and what was got', (t) => {
  t.is(checkCount('h', 'n', 0, false, true), 0);
  t.is(checkCount('h', 'n', Infinity, true), Infinity);
  t.throws(() => checkCount('h', 'n', 1.5, true), { message: 'h: n must be a positive integer or Infinity, got number 1.5' });
  t.throws(() => checkCount('h', 'n', Infinity, false), { message: 'h: n must be a positive integer, got number Infinity' });
  t.throws(() => checkBoolean('h', 'b', 'yes'), { message: 'h: b must be a boolean, got the string "yes"' });
  t.is(checkOneOf('h', 'c', 'x', ['x', 'y', 'z']), 'x');
  t.throws(() => checkOneOf('h', 'c', 'w', ['x', 'y', 'z']), { message: `h: c must be 'x', 'y' or 'z', got the string "w"` });
  t.is(checkSerialization('h', 'json'), 'json');
  t.throws(() => checkSerialization('h', 'xml'), { message: `h: serialization must be 'advanced' or 'json', got the string "xml"` });
});

test('an options bag must be an object of known keys; undefined values are dropped', (t) => {
  t.deepEqual(checkOptions('o', { a: 1, b: undefined, extra: 2 }, { a: 0, b: 0 }, ['extra']), { a: 1, extra: 2 });
  t.deepEqual(checkOptions('o', { a: 1 }, ['a']), { a: 1 });
  t.throws(() => checkOptions('o', { c: 1 }, { a: 0 }), { message: 'o: unknown option "c"' });
  t.throws(() => checkOptions('o', null, { a: 0 }), { message: 'o: options must be an object, got null' });
  t.throws(() => checkOptions('o', { ['__proto__']: 1, a: 1 } as object, ['a']), { message: /unknown option/ }, 'a __proto__ own key is not an option');
});
