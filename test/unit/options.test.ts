// createEndpoint's run-time checks of its options and handlers.
import test, { type ExecutionContext } from 'ava';
import { createEndpoint, type Transport } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';

/** Creates the primary's endpoint with untyped options; the transport is closed afterwards. */
function create(t: ExecutionContext, options: unknown): unknown {
  const [a, b] = createMemoryTransportPair();
  t.teardown(() => {
    a.close();
    b.close();
  });
  return createEndpoint(testContract, 'primary', a, options as never);
}

const BAD_OPTIONS: readonly [string, Record<string, unknown>, RegExp][] = [
  ['timeout 0', { timeout: 0 }, /timeout must be a positive number of milliseconds or Infinity, got number 0/],
  ['timeout -5', { timeout: -5 }, /timeout must be a positive number/],
  ['timeout NaN', { timeout: Number.NaN }, /timeout must be a positive number/],
  ["timeout '100'", { timeout: '100' }, /timeout must be a positive number.*got the string "100"/],
  ['maxInFlight 1.5', { maxInFlight: 1.5 }, /maxInFlight must be a positive integer, got number 1.5/],
  ['maxInFlight 0', { maxInFlight: 0 }, /maxInFlight must be a positive integer/],
  ['maxInFlight Infinity', { maxInFlight: Infinity }, /maxInFlight must be a positive integer, got number Infinity/],
  ['maxPayloadBytes -1', { maxPayloadBytes: -1 }, /maxPayloadBytes must be a positive integer or Infinity/],
  ['concurrency 0', { concurrency: 0 }, /concurrency must be a positive integer or Infinity/],
  ['concurrency 2.5', { concurrency: 2.5 }, /concurrency must be a positive integer or Infinity/],
  ['maxQueue -1', { maxQueue: -1 }, /maxQueue must be a non-negative integer or Infinity/],
  ["validateInput 'caller'", { validateInput: 'caller' }, /validateInput must be 'callee' or 'both'/],
  ["captureCallStack 'yes'", { captureCallStack: 'yes' }, /captureCallStack must be a boolean/],
  ['an unknown key', { timeOut: 5 }, /unknown option "timeOut"/],
];

for (const [what, options, message] of BAD_OPTIONS) {
  test(`createEndpoint with ${what} throws a TypeError naming the option`, (t) => {
    const error = t.throws(() => create(t, { handlers: primaryHandlers(), ...options }), { instanceOf: TypeError });
    t.regex(error?.message ?? '', /^createEndpoint: /);
    t.regex(error?.message ?? '', message);
  });
}

test('createEndpoint with options that are not an object throws TypeError', (t) => {
  t.throws(() => create(t, 5), { instanceOf: TypeError, message: /options must be an object, got number 5/ });
  t.throws(() => create(t, null), { instanceOf: TypeError, message: /options must be an object, got null/ });
});

test('createEndpoint accepts the documented edge values', (t) => {
  t.notThrows(() => create(t, { handlers: primaryHandlers(), timeout: Infinity, maxPayloadBytes: Infinity, concurrency: 1, maxQueue: 0, maxInFlight: 1 }));
  t.notThrows(() => create(t, { handlers: primaryHandlers(), timeout: undefined, maxQueue: Infinity }));
});

test('createEndpoint with a side other than primary or worker throws TypeError', (t) => {
  const [a, b] = createMemoryTransportPair();
  t.teardown(() => {
    a.close();
    b.close();
  });
  t.throws(() => createEndpoint(testContract, 'both' as never, a as Transport), { instanceOf: TypeError, message: /side must be 'primary' or 'worker'/ });
});

test('a missing handler throws TypeError naming the procedure', (t) => {
  const { upper: _upper, ...onlyLog } = primaryHandlers();
  t.throws(() => create(t, { handlers: onlyLog }), { instanceOf: TypeError, message: /missing handler for "upper" \(expected a function or \{ handler \}, got undefined undefined\)/ });
});

test('no handlers at all for a side that serves procedures throws TypeError listing them', (t) => {
  t.throws(() => create(t, {}), { instanceOf: TypeError, message: /handlers must be an object with a handler for "log", "upper"/ });
});

test('an extra handler for a procedure the side does not serve throws TypeError naming it', (t) => {
  t.throws(() => create(t, { handlers: { ...primaryHandlers(), greet: () => 'x' } }), {
    instanceOf: TypeError,
    message: /handlers\."greet" is not a procedure this side serves in the contract/,
  });
});

test('a handler that is neither a function nor { handler } throws TypeError', (t) => {
  t.throws(() => create(t, { handlers: { ...primaryHandlers(), upper: 'upper' } }), { instanceOf: TypeError, message: /missing handler for "upper".*got the string "upper"/ });
  t.throws(() => create(t, { handlers: { ...primaryHandlers(), upper: { concurrency: 1 } } }), { instanceOf: TypeError, message: /missing handler for "upper"/ });
});

test("a handler entry's own concurrency or maxQueue is checked like the endpoint's", (t) => {
  const { upper, log } = primaryHandlers();
  t.throws(() => create(t, { handlers: { log, upper: { handler: upper, concurrency: 0 } } }), { instanceOf: TypeError, message: /handlers\.upper: concurrency must be a positive integer/ });
  t.throws(() => create(t, { handlers: { log, upper: { handler: upper, maxQueue: 1.5 } } }), { instanceOf: TypeError, message: /handlers\.upper: maxQueue must be a non-negative integer/ });
});

test('a handler inherited from the prototype of the handlers object does not count', (t) => {
  const { log, upper } = primaryHandlers();
  const handlers = Object.assign(Object.create({ upper }), { log });
  t.throws(() => create(t, { handlers }), { instanceOf: TypeError, message: /missing handler for "upper"/ });
});

test('the worker side checks its handlers against the worker procedures', (t) => {
  const [a, b] = createMemoryTransportPair();
  t.teardown(() => {
    a.close();
    b.close();
  });
  const { greet: _greet, ...rest } = workerHandlers(() => {
    throw new Error('unused');
  });
  t.throws(() => createEndpoint(testContract, 'worker', b, { handlers: rest as never }), { instanceOf: TypeError, message: /missing handler for "greet"/ });
});
