// connectMemoryPair gives the primary's handlers and listeners the context a hub gives them: the
// worker that made the call or sent the event.
import test from 'ava';
import { z } from 'zod';
import { defineContract, type WorkerInfo } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { deferred, within } from '../fixtures/unit-helpers.js';

const contract = defineContract({
  worker: {},
  primary: { whoAmI: { output: z.object({ id: z.number(), pid: z.number().optional() }) } },
  events: { hello: z.object({ n: z.number() }) },
});

function pair(t: import('ava').ExecutionContext, workerInfo?: WorkerInfo) {
  const p = connectMemoryPair(contract, {
    primary: { handlers: { whoAmI: (_input, ctx) => ({ id: ctx.worker.id, pid: ctx.worker.pid }) } },
    ...(workerInfo === undefined ? {} : { workerInfo }),
  });
  t.teardown(() => Promise.all([p.primary.close(), p.worker.close()]).then(() => undefined));
  return p;
}

test('a primary handler reads ctx.worker as { id: 1, pid: process.pid } by default', async (t) => {
  const { worker } = pair(t);
  t.deepEqual(await within(worker.call('whoAmI'), 5_000, 'whoAmI'), { id: 1, pid: process.pid });
});

test('a primary handler reads the ctx.worker the test chose', async (t) => {
  const { worker } = pair(t, { id: 7, pid: 4242 });
  t.deepEqual(await within(worker.call('whoAmI'), 5_000, 'whoAmI'), { id: 7, pid: 4242 });
});

test("the primary's event listeners get the chosen worker as their context", async (t) => {
  const { primary, worker } = pair(t, { id: 3, pid: 99 });
  const got = deferred<unknown>();
  primary.on('hello', (_payload, ctx) => got.resolve((ctx as { worker?: unknown }).worker));
  worker.emit('hello', { n: 1 });
  t.deepEqual(await within(got.promise, 5_000, 'the event'), { id: 3, pid: 99 });
});

test('a bad workerInfo is refused with a TypeError naming it', (t) => {
  t.throws(() => connectMemoryPair(contract, { primary: { handlers: { whoAmI: () => ({ id: 1 }) } }, workerInfo: { id: -1, pid: 1 } }), {
    instanceOf: TypeError,
    message: /connectMemoryPair: workerInfo\.id must be a non-negative integer, got number -1/,
  });
  t.throws(() => connectMemoryPair(contract, { primary: { handlers: { whoAmI: () => ({ id: 1 }) } }, workerInfo: { id: 1, pid: 0 } }), {
    instanceOf: TypeError,
    message: /workerInfo\.pid must be a positive integer/,
  });
  t.throws(() => connectMemoryPair(contract, { workerInfo: { id: 1, pid: 1, name: 'x' } as WorkerInfo }), { message: /unknown option "name"/ });
});
