// Input and output validation on the callee, and the caller's optional pre-validation.
import test from 'ava';
import { z } from 'zod';
import { defineContract, RpcValidationError } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { assertIdle, openPair, SERIALIZATIONS } from '../fixtures/unit-helpers.js';

for (const serialization of SERIALIZATIONS) {
  test(`an invalid input is refused by the callee with RpcValidationError naming the method, the input side and the issue path (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('greet', { name: 42 } as never), { instanceOf: RpcValidationError });
    t.is(error?.code, 'RPC_VALIDATION');
    t.is(error?.method, 'greet');
    t.is(error?.side, 'input');
    t.is(error?.issues.length, 1);
    t.deepEqual(error?.issues[0]?.path, ['name']);
    t.regex(error?.issues[0]?.message ?? '', /string/i);
    t.regex(error?.message ?? '', /invalid input for "greet": name: /);
    t.is(worker.stats().callsReceived, 1, 'the call crossed to the callee');
    t.is(worker.stats().validationFailures, 1);
    assertIdle(t, primary, worker);
  });

  test(`a handler result that fails the output schema rejects the caller with RpcValidationError on the output side (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const error = await t.throwsAsync(primary.call('badOutput'), { instanceOf: RpcValidationError });
    t.is(error?.code, 'RPC_VALIDATION');
    t.is(error?.method, 'badOutput');
    t.is(error?.side, 'output');
    t.deepEqual(error?.issues[0]?.path, ['n']);
    t.regex(error?.issues[0]?.message ?? '', /number/i);
    t.is(worker.stats().validationFailures, 1);
    assertIdle(t, primary, worker);
  });
}

test('an input with several problems reports every issue with its own path, nested paths included', async (t) => {
  const contract = defineContract({ worker: { put: { input: z.object({ a: z.string(), b: z.object({ c: z.number() }) }) } } });
  const { primary, worker } = connectMemoryPair(contract, { worker: { handlers: { put: () => {} } } });
  t.teardown(() => primary.close());
  const error = await t.throwsAsync(primary.call('put', { a: 1, b: { c: 'x' } } as never), { instanceOf: RpcValidationError });
  t.deepEqual(
    error?.issues.map((i) => i.path),
    [['a'], ['b', 'c']],
  );
  t.true(error?.issues.every((i) => typeof i.message === 'string' && i.message.length > 0));
  t.regex(error?.message ?? '', /a: .*; b\.c: /);
  assertIdle(t, primary, worker);
});

test("with validateInput 'both' an invalid input fails on the caller without reaching the other side", async (t) => {
  const { primary, worker } = openPair(t, { primary: { validateInput: 'both' } });
  const error = await t.throwsAsync(primary.call('greet', { name: 42 } as never), { instanceOf: RpcValidationError });
  t.is(error?.code, 'RPC_VALIDATION');
  t.is(error?.side, 'input');
  t.deepEqual(error?.issues[0]?.path, ['name']);
  t.is(primary.stats().callsSent, 0);
  t.is(primary.stats().validationFailures, 1);
  // A later call overtakes nothing: once it is answered, anything sent before it has arrived.
  t.is(await primary.call('greet', { name: 'Ada' }), 'hello Ada from 1');
  t.is(worker.stats().callsReceived, 1, 'only the valid call reached the callee');
  assertIdle(t, primary, worker);
});

test("with validateInput 'both' a valid input is sent as given and validated again by the callee", async (t) => {
  const { primary, worker } = openPair(t, { primary: { validateInput: 'both' } });
  t.is(await primary.call('greet', { name: 'Bo' }), 'hello Bo from 1');
  t.is(worker.stats().callsReceived, 1);
  t.is(primary.stats().validationFailures, 0);
  assertIdle(t, primary, worker);
});
