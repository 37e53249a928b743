// A call that times out because the other side never completed the handshake says so.
import cluster from 'node:cluster';
import test from 'ava';
import { RpcTimeoutError } from '../../src/index.js';
import { killOnTeardown, startHub, useFixture, waitForMessage, withTimeout } from './helpers.js';

test('a call to a worker that never called connectPrimary times out naming the missing handshake', async (t) => {
  const { fork } = startHub(t);
  const handle = fork({}, 'int-silent-worker.ts');
  await waitForMessage(handle.worker, (m) => m?.type === 'up', 10_000, 'the silent worker to start');
  const error = await withTimeout(
    t.throwsAsync(handle.call('greet', { name: 'Ada' }, { timeout: 300 }), { instanceOf: RpcTimeoutError }),
    10_000,
    'the call to time out',
  );
  t.is(error?.code, 'RPC_TIMEOUT');
  t.is(error?.message, `call to "greet" timed out after 300 ms: worker ${handle.id} never completed the handshake: did it call connectPrimary?`);
  t.is(handle.stats().inFlight, 0);
});

test('a call that times out on a worker that did connect says nothing of the handshake', async (t) => {
  const { fork, logs } = startHub(t);
  const handle = fork();
  await logs.ready(handle);
  const error = await withTimeout(
    t.throwsAsync(handle.call('hang', undefined, { timeout: 300 }), { instanceOf: RpcTimeoutError }),
    10_000,
    'the call to time out',
  );
  t.is(error?.message, 'call to "hang" timed out after 300 ms');
});

test("a worker's call to a primary that never attached it times out naming the missing handshake", async (t) => {
  startHub(t);
  useFixture('int-unattached-worker.ts');
  const worker = cluster.fork();
  killOnTeardown(t, worker);
  const result = await waitForMessage<{ ok: boolean; code?: string; message?: string }>(
    worker,
    (m) => m?.type === 'result',
    15_000,
    "the worker's call to settle",
  );
  t.false(result.ok);
  t.is(result.code, 'RPC_TIMEOUT');
  t.is(
    result.message,
    'call to "upper" timed out after 300 ms: the primary never completed the handshake: did it attach this worker (hub.attach) or fork it with hub.fork()?',
  );
});
