// Foreign and malformed IPC traffic, both ways, over the real channel: ignored or reported, never fatal.
import test from 'ava';
import { createPrimary } from '../../src/index.js';
import { noisyContract } from '../fixtures/int-contract.js';
import { junkMessages, prototypeReport } from '../fixtures/int-junk.js';
import { BOUND, killOnTeardown, useFixture, waitForMessage, withTimeout } from './helpers.js';

test('1,000 foreign and malformed messages each way leave calls working both ways and Object.prototype untouched', async (t) => {
  const hub = createPrimary(noisyContract, { handlers: { upper: (text) => text.toUpperCase() } });
  const errors: Error[] = [];
  hub.on('error', (error) => void errors.push(error));
  t.teardown(() => hub.close());
  useFixture('int-noisy-worker.ts');
  const handle = hub.fork();
  killOnTeardown(t, handle.worker);
  // The worker sends 500 junk messages before connectPrimary, 500 after, then 'user-done'.
  await waitForMessage(handle.worker, (m) => m?.type === 'user-done', BOUND.process, "the noisy worker's last plain message");
  for (const message of junkMessages(1_000, 1)) handle.worker.process.send(message as never);
  const probe = await withTimeout(handle.call('probe'), BOUND.reply, 'a call after the junk');
  t.deepEqual(probe.extraKeys, []);
  t.is(probe.polluted, undefined);
  t.true(probe.protocolErrors > 0, 'the worker reported malformed messages as protocol errors');
  t.is(probe.linkErrors, probe.protocolErrors);
  t.is(await withTimeout(handle.call('roundTrip', 'abc'), BOUND.reply, 'a nested call from the worker'), 'ABC');
  t.deepEqual(prototypeReport(), { polluted: undefined, extraKeys: [] });
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  t.true(handle.isConnected);
  t.true(errors.length > 0, 'the hub reported malformed messages on its error listener');
  t.true(errors.every((e) => e instanceof Error));
  t.is(hub.stats().protocolErrors, errors.length);
  t.is(hub.stats().inFlight, 0);
});

test("a user's own process.send traffic reaches the user's message listeners beside the RPC", async (t) => {
  const hub = createPrimary(noisyContract, { handlers: { upper: (text) => text.toUpperCase() } });
  hub.on('error', () => {});
  t.teardown(() => hub.close());
  useFixture('int-noisy-worker.ts');
  const handle = hub.fork();
  killOnTeardown(t, handle.worker);
  const fromWorker: number[] = [];
  handle.worker.on('message', (m: { type?: unknown; n?: unknown } | null) => {
    if (m?.type === 'user' && typeof m.n === 'number') fromWorker.push(m.n);
  });
  await waitForMessage(handle.worker, (m) => m?.type === 'user-done', BOUND.process, "the noisy worker's last plain message");
  t.deepEqual(fromWorker, Array.from({ length: 20 }, (_, n) => n));
  for (let n = 0; n < 10; n++) handle.worker.send({ type: 'user-ping', n });
  // The call's frame leaves after the plain messages on the same channel, so they arrived first.
  const probe = await withTimeout(handle.call('probe'), BOUND.reply, 'a probe call');
  t.is(probe.userMessages, 10);
  t.is(await withTimeout(handle.call('roundTrip', 'ok'), BOUND.reply, 'a nested call from the worker'), 'OK');
});
