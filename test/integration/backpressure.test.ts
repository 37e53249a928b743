// Backpressure over real IPC: a full channel makes process.send return false, and the transport
// queues until it drains instead of dropping anything.
import test from 'ava';
import { startHub, withTimeout } from './helpers.js';

test('20,000 calls of about 10 KB in flight at once all resolve, and nothing is left in flight', async (t) => {
  const { fork, logs } = startHub(t, { maxInFlight: 20_000, timeout: 60_000 });
  const handle = fork();
  await logs.ready(handle);
  const child = handle.worker.process;
  let refused = 0;
  const send = child.send.bind(child);
  child.send = ((...args: never[]) => {
    const accepted = (send as (...a: never[]) => boolean)(...args);
    if (!accepted) refused++;
    return accepted;
  }) as typeof child.send;
  const pad = 'x'.repeat(10_000);
  const calls = Array.from({ length: 20_000 }, (_, n) => handle.call('echo', { n, pad }));
  t.is(handle.stats().inFlight, 20_000);
  const results = (await withTimeout(Promise.all(calls), 50_000, 'the 20,000 echo calls')) as { n: number; pad: string }[];
  t.true(refused > 0, 'process.send returned false at least once (the channel was full)');
  t.is(results.length, 20_000);
  t.true(results.every((r, n) => r.n === n && r.pad.length === 10_000));
  t.like(handle.stats(), { inFlight: 0, backlog: 0, callsSent: 20_000, timeouts: 0 });
});
