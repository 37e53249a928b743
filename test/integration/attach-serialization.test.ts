// A worker forked by the user and attached learns its channel's serialization from the primary's
// handshake: it needs no serialization option, whichever serialization it was forked with.
import cluster from 'node:cluster';
import test from 'ava';
import { RpcUnserializableError, type Serialization } from '../../src/index.js';
import { fixture, killOnTeardown, startHub, waitForMessage, withTimeout } from './helpers.js';

function forkPlain(t: import('ava').ExecutionContext, serialization: Serialization, name = 'worker.ts') {
  // Forked as a user would: cluster settings only, none of the hub's environment.
  cluster.setupPrimary({ exec: fixture(name), serialization });
  const worker = cluster.fork();
  killOnTeardown(t, worker);
  return worker;
}

test("a user-forked 'advanced' worker attached to an 'advanced' hub replies with a Date, a BigInt and a Map intact", async (t) => {
  const { hub, logs } = startHub(t, { serialization: 'advanced' });
  const handle = hub.attach(forkPlain(t, 'advanced'));
  await logs.ready(handle);
  const value = { when: new Date(5), big: 2n ** 65n, map: new Map([['a', 1]]) };
  // The worker checks its reply against what the handshake showed, not against 'json'.
  t.deepEqual(await withTimeout(handle.call('echo', value), 10_000, 'echo'), value);
});

test("a user-forked 'json' worker attached to a 'json' hub answers, and a Date is refused before it is sent", async (t) => {
  const { hub, logs } = startHub(t, { serialization: 'json' });
  const handle = hub.attach(forkPlain(t, 'json'));
  await logs.ready(handle);
  t.is(await withTimeout(handle.call('greet', { name: 'Ada' }), 10_000, 'greet'), `hello Ada from ${handle.pid}`);
  await t.throwsAsync(handle.call('echo', { when: new Date(0) }), { instanceOf: RpcUnserializableError });
});

for (const serialization of ['advanced', 'json'] as const) {
  const expected = serialization === 'json' ? 'RPC_UNSERIALIZABLE' : 'RPC_VALIDATION';
  test(`a worker with no serialization option checks its calls as its '${serialization}' channel carries them, before and after the handshake`, async (t) => {
    const { hub } = startHub(t, { serialization });
    const worker = forkPlain(t, serialization, 'int-serialization-worker.ts');
    const outcomes = waitForMessage<{ before: string; after: string }>(worker, (m) => m?.type === 'outcomes', 20_000, 'the worker to report');
    hub.attach(worker);
    t.like(await outcomes, { before: expected, after: expected });
  });
}

test("a worker attached with a wrong serialization hint is corrected by its handshake", async (t) => {
  const { hub, logs } = startHub(t, { serialization: 'json' });
  // The channel is 'advanced'; the hint says 'json'. The worker's handshake shows the truth.
  const handle = hub.attach(forkPlain(t, 'advanced'), { serialization: 'json' });
  await logs.ready(handle);
  const value = { when: new Date(7) };
  t.deepEqual(await withTimeout(handle.call('echo', value), 10_000, 'echo'), value);
});
