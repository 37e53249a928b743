// maxPayloadBytes: oversized inputs, outputs and events are refused before they are sent.
import test from 'ava';
import { RpcPayloadTooLargeError } from '../../src/index.js';
import { assertIdle, openPair, SERIALIZATIONS } from '../fixtures/unit-helpers.js';

for (const serialization of SERIALIZATIONS) {
  test(`an input larger than maxPayloadBytes rejects with RpcPayloadTooLargeError before it is sent (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization, primary: { maxPayloadBytes: 100 } });
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => {
      promise = primary.call('echo', { text: 'x'.repeat(200) });
    });
    const error = await t.throwsAsync(promise!, { instanceOf: RpcPayloadTooLargeError });
    t.is(error?.code, 'RPC_PAYLOAD_TOO_LARGE');
    t.is(error?.method, 'echo');
    t.is(error?.limit, 100);
    t.is(primary.stats().callsSent, 0);
    t.is(await primary.call('echo', 'small'), 'small');
    t.is(worker.stats().callsReceived, 1, 'only the small call reached the callee');
    assertIdle(t, primary, worker);
  });

  test(`a handler output larger than the callee's maxPayloadBytes rejects the caller with RpcPayloadTooLargeError (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, {
      serialization,
      worker: { maxPayloadBytes: 100, handlers: { echo: () => 'y'.repeat(1_000) } },
    });
    const error = await t.throwsAsync(primary.call('echo', 'small'), { instanceOf: RpcPayloadTooLargeError });
    t.is(error?.code, 'RPC_PAYLOAD_TOO_LARGE');
    t.is(error?.method, 'echo');
    t.is(error?.limit, 100);
    assertIdle(t, primary, worker);
  });
}

test('an event payload larger than maxPayloadBytes makes emit throw and sends nothing', async (t) => {
  const { primary, worker } = openPair(t, { primary: { maxPayloadBytes: 30 } });
  const seen: unknown[] = [];
  worker.on('ping', (p) => {
    seen.push(p);
  });
  const error = t.throws(() => primary.emit('ping', { n: 1, pad: 'z'.repeat(100) } as never), { instanceOf: RpcPayloadTooLargeError });
  t.is(error?.code, 'RPC_PAYLOAD_TOO_LARGE');
  t.is(error?.method, 'ping');
  t.is(error?.limit, 30);
  t.is(primary.stats().eventsSent, 0);
  await primary.call('greet', { name: 'x' });
  t.is(worker.stats().eventsReceived, 0);
  t.deepEqual(seen, []);
});

test('binary data counts by its byte length towards maxPayloadBytes', async (t) => {
  const { primary, worker } = openPair(t, { primary: { maxPayloadBytes: 1_000 } });
  await t.throwsAsync(primary.call('echo', new Uint8Array(2_000)), { instanceOf: RpcPayloadTooLargeError });
  const small = await primary.call('echo', new Uint8Array(500));
  t.true(small instanceof Uint8Array);
  t.is((small as Uint8Array).byteLength, 500);
  assertIdle(t, primary, worker);
});

test('a payload just under maxPayloadBytes is sent', async (t) => {
  const { primary, worker } = openPair(t, { primary: { maxPayloadBytes: 100 } });
  // A string is estimated at its length plus 2.
  t.is(await primary.call('echo', 'a'.repeat(98)), 'a'.repeat(98));
  await t.throwsAsync(primary.call('echo', 'a'.repeat(99)), { instanceOf: RpcPayloadTooLargeError });
  assertIdle(t, primary, worker);
});
