// hub.attach of workers the user forked with cluster.fork(), outside the hub.
import cluster from 'node:cluster';
import test from 'ava';
import { BOUND, killOnTeardown, startHub, useFixture, waitForMessage, withTimeout } from './helpers.js';

test('a worker forked with cluster.fork() and attached at once answers calls and calls the primary', async (t) => {
  const { hub, logs } = startHub(t);
  useFixture('worker.ts');
  const worker = cluster.fork();
  killOnTeardown(t, worker);
  const handle = hub.attach(worker);
  t.is(handle.id, worker.id);
  t.is(await withTimeout(handle.call('greet', { name: 'Ada' }), BOUND.process, 'greet'), `hello Ada from ${worker.process.pid}`);
  await logs.ready(handle);
  t.deepEqual(hub.workers.map((h) => h.id), [worker.id]);
});

test('a worker that called connectPrimary before it was attached completes its handshake once attached', async (t) => {
  const { hub, logs } = startHub(t);
  useFixture('int-attach-worker.ts');
  const worker = cluster.fork();
  killOnTeardown(t, worker);
  // The worker is connected, its handshake went unheard, and its `log` call waits.
  await waitForMessage(worker, (m) => m?.type === 'connected', BOUND.process, 'the worker to connect');
  const handle = hub.attach(worker);
  // The call it made before the attach now reaches the primary, and calls work both ways.
  await logs.ready(handle, BOUND.reply);
  t.is(await withTimeout(handle.call('callBack', { text: 'late' }), BOUND.reply, 'callBack'), 'LATE!');
});

test('attaching the same worker twice returns the same handle', async (t) => {
  const { hub } = startHub(t);
  useFixture('worker.ts');
  const worker = cluster.fork();
  killOnTeardown(t, worker);
  const handle = hub.attach(worker);
  t.is(hub.attach(worker), handle);
  t.is(hub.workers.length, 1);
});

test('a worker attached to twelve hubs in turn is left with at most one error listener of theirs', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  useFixture('worker.ts');
  const worker = cluster.fork({ FIXTURE_READY: 'no' });
  killOnTeardown(t, worker);
  const before = worker.listenerCount('error');
  for (let i = 0; i < 12; i++) {
    const { hub } = startHub(t);
    hub.attach(worker);
    await hub.close();
  }
  t.true(worker.listenerCount('error') <= before + 1, `${worker.listenerCount('error') - before} error listeners were left on the worker`);
  t.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
});
