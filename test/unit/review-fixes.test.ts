// Behaviours found by review: each one a way a call could hang, leak or misbehave.
import test from 'ava';
import { z } from 'zod';
import { defineContract } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { deferred, openPair, within } from '../fixtures/unit-helpers.js';

test('with validateInput both and an asynchronous schema, an abort during validation rejects the call and sends nothing', async (t) => {
  const gate = deferred();
  const slow = z.string().refine(async () => {
    await gate.promise;
    return true;
  });
  const contract = defineContract({ worker: { run: { input: slow } } });
  const { primary, worker } = connectMemoryPair(contract, {
    primary: { validateInput: 'both' },
    worker: { handlers: { run: () => new Promise<void>(() => {}) } },
  });
  t.teardown(() => Promise.all([primary.close(), worker.close()]).then(() => undefined));
  const controller = new AbortController();
  const call = primary.call('run', 'x', { signal: controller.signal, timeout: Infinity });
  controller.abort(new Error('stop'));
  gate.resolve();
  await t.throwsAsync(within(call, 2_000, 'the aborted call'), { message: 'stop' });
  t.is(primary.stats().callsSent, 0);
  t.is(primary.stats().inFlight, 0);
});

test('a frame that arrives in the same batch after the endpoint closed is not handled', async (t) => {
  const { primary, worker } = openPair(t);
  const closed = deferred();
  // The worker closes its endpoint when the event arrives; the call sent in the same tick rides
  // in the same envelope, after the event, and must not reach its handler.
  worker.on('configChanged', () => {
    void worker.close().then(() => closed.resolve());
  });
  const calls = worker.stats().callsReceived;
  primary.emit('configChanged', { version: 1 });
  const call = primary.call('greet', { name: 'late' }).catch((error: unknown) => error);
  await within(closed.promise, 2_000, 'the worker closing');
  await within(call, 2_000, 'the call settling');
  t.is(worker.stats().callsReceived, calls);
});

test('drain() refuses a timeout of 0, a negative one, NaN and a string with a rejected TypeError', async (t) => {
  const { primary } = openPair(t);
  for (const timeout of [0, -1, Number.NaN, 'x']) {
    await t.throwsAsync(primary.drain({ timeout: timeout as number }), { instanceOf: TypeError, message: /timeout must be a positive number/ });
  }
  t.true(primary.isConnected, 'a refused drain leaves the endpoint open');
});
