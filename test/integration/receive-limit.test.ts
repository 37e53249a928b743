// The receive side's maxPayloadBytes over real IPC: a call whose input is over the worker's limit
// (the primary's is larger) is refused by the worker before its handler runs, reported once there,
// and the caller gets RPC_PAYLOAD_TOO_LARGE with the worker's limit.
import test from 'ava';
import { RpcPayloadTooLargeError } from '../../src/index.js';
import { startHub, withTimeout } from './helpers.js';

for (const serialization of ['advanced', 'json'] as const) {
  test(`an input over the worker's maxPayloadBytes is refused on receipt, before the handler, and reported once (${serialization})`, async (t) => {
    const { fork, logs } = startHub(t, { serialization });
    const handle = fork({}, 'int-receive-limit-worker.ts');
    await logs.ready(handle);
    // ~10 KB in an object: stamped with its size by the primary, which allows 8 MiB.
    const big = { items: Array.from({ length: 100 }, (_, i) => ({ i, text: 'x'.repeat(90) })) };
    const error = await t.throwsAsync(withTimeout(handle.call('echo', big), 10_000, 'the oversized echo'), { instanceOf: RpcPayloadTooLargeError });
    t.like(error, { code: 'RPC_PAYLOAD_TOO_LARGE', method: 'echo', limit: 4_096 });
    // A small echo still runs; the worker's handler ran for it alone, and the worker heard one problem.
    t.deepEqual(await withTimeout(handle.call('echo', { small: true }), 10_000, 'a small echo'), { small: true });
    await logs.waitFor((text) => text.startsWith('error '), 10_000, "the worker's 'error' listener");
    const texts = logs.entries.map((e) => e.text);
    t.deepEqual(texts.filter((x) => x.startsWith('echo ran')), [`echo ran ${JSON.stringify({ small: true }).length}`]);
    const errors = texts.filter((x) => x.startsWith('error '));
    t.is(errors.length, 1);
    t.regex(errors[0]!, /^error RPC_PAYLOAD_TOO_LARGE input of "echo" from the primary/);
    t.is(handle.stats().inFlight, 0);
  });
}
