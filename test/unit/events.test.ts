// One-way events: validated on receipt, in order with calls, listener failures reported.
import test from 'ava';
import { z } from 'zod';
import { defineContract, RpcValidationError } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { deferred, openPair, SERIALIZATIONS, within } from '../fixtures/unit-helpers.js';

for (const serialization of SERIALIZATIONS) {
  test(`a listener gets the event payload as its schema parsed it (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization });
    const got = deferred<unknown>();
    worker.on('configChanged', (payload) => got.resolve(payload));
    primary.emit('configChanged', { version: 2, stray: 'stripped by the schema' } as never);
    t.deepEqual(await within(got.promise, 5_000, 'the event'), { version: 2 });
    t.is(primary.stats().eventsSent, 1);
    t.is(worker.stats().eventsReceived, 1);
  });
}

test('events flow from the worker side to the primary side too', async (t) => {
  const { primary, worker } = openPair(t);
  const got = deferred<number>();
  primary.on('ping', ({ n }) => got.resolve(n));
  worker.emit('ping', { n: 9 });
  t.is(await within(got.promise, 5_000, 'the event'), 9);
});

test("an invalid event never reaches the listener and is reported on 'error' as RpcValidationError on the event side", async (t) => {
  const { primary, worker } = openPair(t);
  const seen: number[] = [];
  const errors: Error[] = [];
  const valid = deferred();
  worker.on('error', (error) => {
    errors.push(error);
  });
  worker.on('ping', ({ n }) => {
    seen.push(n);
    if (n === 2) valid.resolve();
  });
  primary.emit('ping', { n: 'one' } as never);
  primary.emit('ping', { n: 2 });
  await within(valid.promise, 5_000, 'the valid event');
  t.deepEqual(seen, [2]);
  t.is(errors.length, 1);
  const error = errors[0] as RpcValidationError;
  t.true(error instanceof RpcValidationError);
  t.is(error.code, 'RPC_VALIDATION');
  t.is(error.side, 'event');
  t.is(error.method, 'ping');
  t.deepEqual(error.issues[0]?.path, ['n']);
  t.is(worker.stats().validationFailures, 1);
  t.is(worker.stats().eventsReceived, 2);
});

test('events and calls from one side reach the other in the order they were sent', async (t) => {
  const order: string[] = [];
  const { primary, worker } = openPair(t, {
    worker: {
      handlers: {
        greet: ({ name }) => {
          order.push(`call ${name}`);
          return name;
        },
      },
    },
  });
  worker.on('ping', ({ n }) => {
    order.push(`event ${n}`);
  });
  primary.emit('ping', { n: 1 });
  const a = primary.call('greet', { name: 'a' });
  primary.emit('ping', { n: 2 });
  primary.emit('ping', { n: 3 });
  const b = primary.call('greet', { name: 'b' });
  await Promise.resolve();
  primary.emit('ping', { n: 4 }); // a later microtask
  await new Promise<void>((resolve) => setImmediate(resolve));
  const c = primary.call('greet', { name: 'c' }); // a later macrotask
  await Promise.all([a, b, c]);
  t.deepEqual(order, ['event 1', 'call a', 'event 2', 'event 3', 'call b', 'event 4', 'call c']);
});

test('events keep their order behind an asynchronous schema', async (t) => {
  const contract = defineContract({
    events: {
      tick: z.object({ n: z.number() }).refine(async ({ n }) => {
        await new Promise((resolve) => setTimeout(resolve, n === 1 ? 20 : 0));
        return true;
      }),
      tock: z.number(),
    },
  });
  const { primary, worker } = connectMemoryPair(contract);
  t.teardown(() => primary.close());
  const order: string[] = [];
  const done = deferred();
  worker.on('tick', ({ n }) => {
    order.push(`tick ${n}`);
  });
  worker.on('tock', (n) => {
    order.push(`tock ${n}`);
    if (n === 3) done.resolve();
  });
  primary.emit('tick', { n: 1 });
  primary.emit('tock', 2);
  primary.emit('tock', 3);
  await within(done.promise, 5_000, 'the events');
  t.deepEqual(order, ['tick 1', 'tock 2', 'tock 3']);
});

test("a listener that throws is reported on 'error' and the other listeners still run", async (t) => {
  const { primary, worker } = openPair(t);
  const boom = new Error('listener failed');
  const reported = deferred<Error>();
  const after = deferred<number>();
  worker.on('error', (error) => reported.resolve(error));
  worker.on('ping', () => {
    throw boom;
  });
  worker.on('ping', ({ n }) => after.resolve(n));
  t.notThrows(() => primary.emit('ping', { n: 5 }));
  t.is(await within(reported.promise, 5_000, 'the report'), boom);
  t.is(await within(after.promise, 5_000, 'the second listener'), 5);
  t.is(await primary.call('greet', { name: 'x' }), 'hello x from 1', 'the link keeps working');
});

test("an async listener that rejects is reported on 'error'", async (t) => {
  const { primary, worker } = openPair(t);
  const reported = deferred<Error>();
  worker.on('error', (error) => reported.resolve(error));
  worker.on('ping', async () => {
    await Promise.resolve();
    throw new Error('async listener failed');
  });
  primary.emit('ping', { n: 1 });
  t.is((await within(reported.promise, 5_000, 'the report')).message, 'async listener failed');
});

test('a listener removed with the function on() returned hears nothing more', async (t) => {
  const { primary, worker } = openPair(t);
  const seen: number[] = [];
  const last = deferred();
  const stop = worker.on('ping', ({ n }) => {
    seen.push(n);
  });
  worker.on('ping', ({ n }) => {
    if (n === 2) last.resolve();
  });
  primary.emit('ping', { n: 1 });
  await primary.call('greet', { name: 'x' });
  stop();
  primary.emit('ping', { n: 2 });
  await within(last.promise, 5_000, 'the second event');
  t.deepEqual(seen, [1]);
});

test('emitting or listening to an event that is not in the contract throws TypeError', (t) => {
  const { primary, worker } = openPair(t);
  t.throws(() => (primary as any).emit('nope', {}), { instanceOf: TypeError, message: /not an event of the contract/ });
  t.throws(() => (worker as any).on('nope', () => {}), { instanceOf: TypeError, message: /not an event of the contract/ });
  t.throws(() => (worker as any).on('ping', 'not a function'), { instanceOf: TypeError, message: /listener must be a function/ });
  t.is(primary.stats().eventsSent, 0);
});
