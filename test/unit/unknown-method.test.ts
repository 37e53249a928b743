// Calling a name the other side does not serve.
import test from 'ava';
import { z } from 'zod';
import { createEndpoint, defineContract, RpcUnknownMethodError } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing.js';
import { assertIdle, openPair, SERIALIZATIONS } from '../fixtures/unit-helpers.js';

for (const name of ['nope', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
  test(`calling "${name}", which the contract does not have, rejects with RpcUnknownMethodError without sending`, async (t) => {
    const { primary, worker } = openPair(t);
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = (primary as any).call(name);
    });
    const error = await t.throwsAsync(promise!, { instanceOf: RpcUnknownMethodError });
    t.is(error?.code, 'RPC_UNKNOWN_METHOD');
    t.is(error?.method, name);
    t.is(primary.stats().callsSent, 0);
    await primary.call('greet', { name: 'x' });
    t.is(worker.stats().callsReceived, 1);
    assertIdle(t, primary, worker);
  });
}

test('calling with a method name that is not a string rejects with RpcUnknownMethodError', async (t) => {
  const { primary } = openPair(t);
  const error = await t.throwsAsync((primary as any).call(42), { instanceOf: RpcUnknownMethodError });
  t.is(error?.method, '42');
  t.is(primary.stats().callsSent, 0);
});

const callerContract = defineContract({
  worker: { shared: { output: z.string() }, newer: { input: z.object({ x: z.number() }), output: z.number() } },
});
const calleeContract = defineContract({ worker: { shared: { output: z.string() } } });

for (const serialization of SERIALIZATIONS) {
  test(`a procedure the other side does not serve rejects with RpcUnknownMethodError from that side (${serialization})`, async (t) => {
    const [a, b] = createMemoryTransportPair({ serialization });
    const caller = createEndpoint(callerContract, 'primary', a);
    const callee = createEndpoint(calleeContract, 'worker', b, { handlers: { shared: () => 'ok' } });
    t.teardown(async () => {
      await caller.close();
      await callee.close();
    });
    const error = await t.throwsAsync(caller.call('newer', { x: 1 }), { instanceOf: RpcUnknownMethodError });
    t.is(error?.code, 'RPC_UNKNOWN_METHOD');
    t.is(error?.method, 'newer');
    t.is(caller.stats().callsSent, 1, 'the call was sent');
    t.is(callee.stats().callsReceived, 1, 'and refused by the callee');
    t.is(await caller.call('shared'), 'ok', 'the link keeps working');
    assertIdle(t, caller, callee);
  });
}
