// defineContract's run-time checks.
import test from 'ava';
import { z } from 'zod';
import { defineContract, RESERVED_EVENT_NAMES } from '../../src/index.js';

const define = defineContract as (def: unknown) => unknown;

test('defineContract returns frozen maps of what it was given', (t) => {
  const input = z.string();
  const contract = defineContract({ worker: { a: { input } }, events: { e: z.number() } });
  t.true(Object.isFrozen(contract));
  t.true(Object.isFrozen(contract.worker));
  t.true(Object.isFrozen(contract.worker.a));
  t.is(contract.worker.a.input, input);
  t.deepEqual(Object.keys(contract.primary), []);
  t.deepEqual(Object.keys(contract.events), ['e']);
});

test('defineContract accepts any Standard Schema v1, not only zod', (t) => {
  const custom = { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) } };
  t.notThrows(() => defineContract({ worker: { a: { input: custom, output: custom } }, events: { e: custom } }));
});

test('defineContract refuses something that is not an object', (t) => {
  for (const def of [null, undefined, 5, 'contract']) {
    t.throws(() => define(def), { instanceOf: TypeError, message: /defineContract: expected an object/ });
  }
});

test('defineContract refuses an unknown top-level key, naming it', (t) => {
  t.throws(() => define({ workers: {} }), { instanceOf: TypeError, message: 'defineContract: unknown key "workers" (expected "worker", "primary" and/or "events")' });
});

test('defineContract refuses a procedure map that is not an object', (t) => {
  t.throws(() => define({ worker: [] }), { instanceOf: TypeError, message: /"worker" must be an object of procedures, got an array/ });
  t.throws(() => define({ primary: 'x' }), { instanceOf: TypeError, message: /"primary" must be an object of procedures/ });
  t.throws(() => define({ events: 5 }), { instanceOf: TypeError, message: /"events" must be an object of schemas/ });
});

test('defineContract refuses a procedure that is not an object', (t) => {
  t.throws(() => define({ worker: { a: z.string() } }), { instanceOf: TypeError, message: /worker\.a has an unknown key/ });
  t.throws(() => define({ worker: { a: null } }), { instanceOf: TypeError, message: /worker\.a must be an object with optional "input" and "output" schemas, got null/ });
});

test('defineContract refuses an unknown key in a procedure, naming it', (t) => {
  t.throws(() => define({ primary: { log: { input: z.string(), ouput: z.string() } } }), {
    instanceOf: TypeError,
    message: 'defineContract: primary.log has an unknown key "ouput" (expected "input" and/or "output")',
  });
});

test('defineContract refuses a schema that is not a Standard Schema, naming where', (t) => {
  t.throws(() => define({ worker: { a: { input: { parse() {} } } } }), { instanceOf: TypeError, message: /worker\.a\.input must be a Standard Schema/ });
  t.throws(() => define({ worker: { a: { output: 'string' } } }), { instanceOf: TypeError, message: /worker\.a\.output must be a Standard Schema .*got the string "string"/ });
  t.throws(() => define({ events: { e: { '~standard': { version: 2, validate() {} } } } }), { instanceOf: TypeError, message: /events\.e must be a Standard Schema/ });
});

test("defineContract refuses the reserved event name 'error'", (t) => {
  t.deepEqual([...RESERVED_EVENT_NAMES], ['error']);
  t.throws(() => define({ events: { error: z.string() } }), { instanceOf: TypeError, message: /the event name "error" is reserved/ });
});

test('defineContract refuses names that are empty or longer than 128 characters', (t) => {
  t.throws(() => define({ worker: { '': {} } }), { instanceOf: TypeError, message: /worker procedure names must be 1 to 128 characters, got ""/ });
  t.throws(() => define({ primary: { ['p'.repeat(129)]: {} } }), { instanceOf: TypeError, message: /primary procedure names must be 1 to 128 characters/ });
  t.throws(() => define({ events: { ['e'.repeat(129)]: z.string() } }), { instanceOf: TypeError, message: /event names must be 1 to 128 characters/ });
  t.notThrows(() => define({ worker: { ['w'.repeat(128)]: {} } }));
});

test('defineContract never turns a procedure named __proto__ into a prototype: it keeps it or refuses it', (t) => {
  // An own key named __proto__, as JSON.parse or a computed key makes it.
  const worker = {};
  Object.defineProperty(worker, '__proto__', { value: { input: z.string() }, enumerable: true, configurable: true, writable: true });
  const def = { worker };
  let contract: { worker: object } | undefined;
  try {
    contract = define(def) as { worker: object };
  } catch (error) {
    t.true(error instanceof TypeError, 'a refusal is a TypeError');
    return;
  }
  t.is(Object.getPrototypeOf(contract.worker), Object.prototype, 'the procedure did not become the prototype');
  t.true(Object.hasOwn(contract.worker, '__proto__'), 'the procedure was kept');
});
