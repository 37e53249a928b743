// Nested calls over real IPC: a handler calls back into its caller before it replies, both ways.
import test from 'ava';
import { BOUND, startHub, withTimeout } from './helpers.js';

test('a worker handler that calls the primary before it replies resolves without deadlock', async (t) => {
  const { fork } = startHub(t);
  const handle = fork();
  const results = await withTimeout(
    Promise.all(Array.from({ length: 50 }, (_, i) => handle.call('callBack', { text: `call ${i}` }))),
    BOUND.process,
    'the nested calls',
  );
  t.deepEqual(results, Array.from({ length: 50 }, (_, i) => `CALL ${i}!`));
  t.is(handle.stats().inFlight, 0);
  t.is(handle.stats().handling, 0);
});

test('a primary handler that calls into the calling worker before it replies resolves without deadlock', async (t) => {
  const { hub, fork } = startHub(t, {
    handlers: {
      // The worker's callBack calls upper, which calls the same worker's greet before replying.
      upper: async (text, ctx) => {
        const greeting = await hub.worker(ctx.worker.id)!.call('greet', { name: text });
        return greeting.toUpperCase();
      },
    },
  });
  const handle = fork();
  const result = await withTimeout(handle.call('callBack', { text: 'ada' }), BOUND.process, 'the doubly nested call');
  t.is(result, `HELLO ADA FROM ${handle.pid}!`);
  t.is(hub.stats().inFlight, 0);
  t.is(hub.stats().handling, 0);
});
