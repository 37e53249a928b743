// Timeouts and aborts over real IPC: the caller rejects at once and the worker's handler sees ctx.signal abort.
import test from 'ava';
import { RpcTimeoutError, type WorkerHandle } from '../../src/index.js';
import { BOUND, startHub, withTimeout, type TC } from './helpers.js';

/** Asks the worker what its handlers saw cancelled until `entry` is there (a cancel lands a moment after the call settles here). */
async function cancelledOnWorker(handle: WorkerHandle<TC>, entry: string): Promise<string[]> {
  return withTimeout(
    (async () => {
      for (;;) {
        const seen = await handle.call('cancelled');
        if (seen.includes(entry)) return seen;
      }
    })(),
    BOUND.reply,
    `the worker to record ${entry}`,
  );
}

test("a call that times out rejects with RPC_TIMEOUT and aborts the worker handler's signal", async (t) => {
  const { fork, logs } = startHub(t);
  const handle = fork();
  await logs.ready(handle);
  const startedAt = performance.now();
  const error = await t.throwsAsync(withTimeout(handle.call('sleep', { ms: 30_000 }, { timeout: 200 }), BOUND.reply, 'the timeout'), {
    instanceOf: RpcTimeoutError,
  });
  t.true(performance.now() - startedAt < BOUND.reply);
  t.like(error, { code: 'RPC_TIMEOUT', method: 'sleep', timeout: 200 });
  t.deepEqual(await cancelledOnWorker(handle, 'sleep:RpcTimeoutError'), ['sleep:RpcTimeoutError']);
  t.like(handle.stats(), { inFlight: 0, timeouts: 1, lateReplies: 0 });
});

test("a call aborted by its AbortSignal rejects with the signal's reason and aborts the worker handler's signal", async (t) => {
  const { fork, logs } = startHub(t);
  const handle = fork();
  await logs.ready(handle);
  const controller = new AbortController();
  const call = handle.call('sleep', { ms: 30_000 }, { signal: controller.signal });
  // A call made after it is answered once the sleep has started on the worker.
  await withTimeout(handle.call('stats'), BOUND.reply, 'a stats call');
  const reason = new Error('the user gave up');
  controller.abort(reason);
  await t.throwsAsync(withTimeout(call, BOUND.reply, 'the abort'), { is: reason });
  t.deepEqual(await cancelledOnWorker(handle, 'sleep:RpcAbortedError'), ['sleep:RpcAbortedError']);
  t.like(handle.stats(), { inFlight: 0, timeouts: 0, lateReplies: 0 });
});
