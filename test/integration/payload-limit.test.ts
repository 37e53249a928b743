// maxPayloadBytes over real IPC: an oversized input never leaves; an oversized reply comes back as an error.
import test from 'ava';
import { RpcPayloadTooLargeError } from '../../src/index.js';
import { BOUND, startHub, withTimeout } from './helpers.js';

test('a call whose input is larger than maxPayloadBytes rejects with RPC_PAYLOAD_TOO_LARGE without crossing IPC', async (t) => {
  const { fork, logs } = startHub(t, { maxPayloadBytes: 1_024 });
  const handle = fork();
  await logs.ready(handle);
  const child = handle.worker.process;
  const sent: unknown[] = [];
  const send = child.send.bind(child);
  child.send = ((message: unknown, ...rest: never[]) => {
    sent.push(message);
    return send(message as never, ...rest);
  }) as typeof child.send;
  const error = await t.throwsAsync(handle.call('echo', 'x'.repeat(10_000)), { instanceOf: RpcPayloadTooLargeError });
  t.like(error, { code: 'RPC_PAYLOAD_TOO_LARGE', method: 'echo', limit: 1_024 });
  t.is(handle.stats().callsSent, 0);
  t.is(handle.stats().inFlight, 0);
  // A small call still goes, and it is the only one that went.
  t.is(await withTimeout(handle.call('echo', 'small'), BOUND.reply, 'a small echo'), 'small');
  const frames = sent.flatMap((m) => ((m as { f?: unknown[] }).f ?? []) as { k?: string; m?: string }[]);
  t.deepEqual(frames.filter((f) => f.k === 'call').map((f) => f.m), ['echo']);
  t.false(JSON.stringify(sent).includes('x'.repeat(2_000)));
});

test("a reply larger than the worker's maxPayloadBytes reaches the caller as RPC_PAYLOAD_TOO_LARGE", async (t) => {
  const { fork, logs } = startHub(t);
  const handle = fork({ FIXTURE_MAX_PAYLOAD: '4096' }, 'int-worker.ts');
  await logs.ready(handle);
  // The input is within the primary's default limit; the worker refuses to send it back.
  const error = await t.throwsAsync(withTimeout(handle.call('echo', 'y'.repeat(10_000)), BOUND.reply, 'the oversized echo'), {
    instanceOf: RpcPayloadTooLargeError,
  });
  t.like(error, { code: 'RPC_PAYLOAD_TOO_LARGE', method: 'echo', limit: 4_096 });
  t.is(await withTimeout(handle.call('echo', 'fits'), BOUND.reply, 'a small echo'), 'fits');
  t.is(handle.stats().inFlight, 0);
});
