// Order over real IPC: a concurrency-1 worker runs calls one at a time in arrival order, and calls
// and events from one side arrive in the order they were sent.
import test, { type ExecutionContext } from 'ava';
import { createPrimary } from '../../src/index.js';
import { orderContract } from '../fixtures/int-contract.js';
import { BOUND, killOnTeardown, startHub, useFixture, withTimeout } from './helpers.js';

test('a worker with concurrency 1 completes calls in the order they were made', async (t) => {
  const { fork, logs } = startHub(t);
  const handle = fork({ FIXTURE_CONCURRENCY: '1' });
  await logs.ready(handle);
  // Later calls are shorter: run concurrently they would finish first.
  const lengths = [300, 10, 200, 0, 100, 5, 50, 0];
  const done: number[] = [];
  const calls = lengths.map((ms, i) => handle.call('sleep', { ms }).then(() => void done.push(i)));
  await withTimeout(Promise.all(calls), BOUND.process, 'the sleep calls');
  t.deepEqual(done, lengths.map((_, i) => i));
});

function orderHub(t: ExecutionContext) {
  const recorded: string[] = [];
  const hub = createPrimary(orderContract, { handlers: { record: ({ n }) => void recorded.push(`c${n}`) } });
  hub.on('tick', ({ n }) => void recorded.push(`e${n}`));
  hub.on('error', (error) => void recorded.push(`error: ${error.message}`));
  t.teardown(() => hub.close());
  useFixture('int-order-worker.ts');
  const handle = hub.fork();
  killOnTeardown(t, handle.worker);
  return { hub, handle, recorded };
}

const interleaved = (count: number): string[] => Array.from({ length: count }, (_, n) => [`e${n}`, `c${n}`]).flat();

test('1,000 events and 1,000 calls from the primary reach the worker in the order they were sent', async (t) => {
  const { hub, handle } = orderHub(t);
  const calls: Promise<void>[] = [];
  for (let n = 0; n < 1_000; n++) {
    hub.emit('tick', { n });
    calls.push(handle.call('record', { n }));
  }
  await withTimeout(Promise.all(calls), BOUND.process, 'the record calls');
  t.deepEqual(await withTimeout(handle.call('recorded'), BOUND.reply, "the worker's log"), interleaved(1_000));
});

test('1,000 events and 1,000 calls from a worker reach the primary in the order they were sent', async (t) => {
  const { handle, recorded } = orderHub(t);
  await withTimeout(handle.call('burst', { count: 1_000 }), BOUND.process, 'the burst');
  t.deepEqual(recorded, interleaved(1_000));
});
