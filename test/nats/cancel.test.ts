// Timeouts, aborts and the deadline a request carries: each reaches the remote handler's ctx.signal.
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { RpcTimeoutError } from '../../src/index.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, freshNamespace, joinPrimary, joinWorker, knows, withTimeout, type Primary } from './helpers.js';

let server: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

/** Asks the worker (bounded) until its handlers recorded `entry` as cancelled. */
async function cancelledOnWorker(call: () => ReturnType<Primary['call']>, entry: string): Promise<string[]> {
  return withTimeout(
    (async () => {
      for (;;) {
        const seen = (await call()) as string[];
        if (seen.includes(entry)) return seen;
      }
    })(),
    10_000,
    `the worker to record ${entry}`,
  );
}

test("a call to any member that times out rejects with RPC_TIMEOUT and aborts the handler's signal", async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  const error = await t.throwsAsync(withTimeout(primary.call('sleep', { ms: 30_000 }, { timeout: 200 }), 10_000, 'the timeout'), { instanceOf: RpcTimeoutError });
  t.like(error, { code: 'RPC_TIMEOUT', timeout: 200 });
  t.deepEqual(await cancelledOnWorker(() => primary.call('cancelled'), 'sleep:RpcTimeoutError'), ['sleep:RpcTimeoutError']);
  t.like(primary.stats(), { inFlight: 0, timeouts: 1 });
});

test("a call to one member aborted by its signal rejects with the reason and aborts the handler's signal", async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [worker.id]);
  const handle = primary.member(worker.id)!;
  const controller = new AbortController();
  const call = handle.call('sleep', { ms: 30_000 }, { signal: controller.signal });
  await withTimeout(
    (async () => {
      while (worker.stats().handling === 0) await new Promise((r) => setTimeout(r, 5));
    })(),
    10_000,
    'the handler to start',
  );
  const reason = new Error('changed my mind');
  controller.abort(reason);
  t.is(await t.throwsAsync(call), reason);
  t.deepEqual(await cancelledOnWorker(() => handle.call('cancelled'), 'sleep:RpcAbortedError'), ['sleep:RpcAbortedError']);
});

test("the deadline carried in a request aborts the handler's signal even when no cancel ever comes", async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  // A raw client that sends one call with 300 ms left, and then nothing.
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  raw.publish(`crpc.${ns}.q.worker.rawcaller`, JSON.stringify({ '~crpc': 1, f: [{ k: 'call', i: 'raw-1', m: 'sleep', p: { ms: 30_000 }, d: 300 }] }));
  await raw.flush();
  t.deepEqual(await cancelledOnWorker(() => primary.call('cancelled'), 'sleep:RpcTimeoutError'), ['sleep:RpcTimeoutError']);
});
