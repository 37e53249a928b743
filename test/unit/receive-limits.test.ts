// The receive side holds payloads to its own maxPayloadBytes (issue 8, item 9): a peer with a larger
// limit cannot get an oversized input to a handler, a reply to a caller or an event to a listener.
// And validateOutput 'both': the caller checks replies against the output schema too.
import test from 'ava';
import { RpcPayloadTooLargeError, RpcValidationError, createEndpoint } from '../../src/index.js';
import { testContract } from '../fixtures/contract.js';
import { workerHandlers } from '../fixtures/handlers.js';
import { assertIdle, openPair, openRawLink, SERIALIZATIONS, within } from '../fixtures/unit-helpers.js';

/** ~10 KB in an object: its sender stamps it with its size. */
const big = (): { items: { i: number; text: string }[] } => ({ items: Array.from({ length: 100 }, (_, i) => ({ i, text: 'x'.repeat(90) })) });

for (const serialization of SERIALIZATIONS) {
  for (const [what, input] of [
    ['an object input', big()],
    ['a string input', 'y'.repeat(5_000)],
    ['a small unstamped object input', { text: 'z'.repeat(300) }],
  ] as const) {
    test(`${what} over the callee's maxPayloadBytes is refused before the handler runs and reported once (${serialization})`, async (t) => {
      let ran = 0;
      const limit = typeof input === 'object' && 'text' in input ? 200 : 2_048;
      const { primary, worker } = openPair(t, {
        serialization,
        worker: { maxPayloadBytes: limit, handlers: { echo: (x: unknown) => (ran++, x) } },
      });
      const heard: unknown[] = [];
      worker.on('error', (error) => void heard.push(error));
      const error = await t.throwsAsync(within(primary.call('echo', input), 5_000, 'the oversized call'), { instanceOf: RpcPayloadTooLargeError });
      t.like(error, { code: 'RPC_PAYLOAD_TOO_LARGE', method: 'echo', limit });
      t.is(ran, 0, 'no handler ran');
      t.is(heard.length, 1, 'reported once on the receiving side');
      t.true(heard[0] instanceof RpcPayloadTooLargeError);
      t.regex((heard[0] as Error).message, /^input of "echo" from memory peer a is larger than this side's maxPayloadBytes \(\d+ bytes\): refused on receipt$/);
      t.like(worker.stats(), { callsReceived: 1, protocolErrors: 1, validationFailures: 0 });
      t.is(await primary.call('echo', 'fits'), 'fits');
      t.is(ran, 1);
      assertIdle(t, primary, worker);
    });
  }

  test(`a reply over the caller's maxPayloadBytes rejects the call with RPC_PAYLOAD_TOO_LARGE, reported once (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization, primary: { maxPayloadBytes: 2_048 }, worker: { handlers: { echo: () => big() } } });
    const heard: unknown[] = [];
    primary.on('error', (error) => void heard.push(error));
    const error = await t.throwsAsync(within(primary.call('echo', 'small'), 5_000, 'the call'), { instanceOf: RpcPayloadTooLargeError });
    t.like(error, { code: 'RPC_PAYLOAD_TOO_LARGE', method: 'echo', limit: 2_048 });
    t.regex(error!.message, /^output of "echo"/);
    t.is(heard.length, 1);
    t.is(primary.stats().protocolErrors, 1);
    assertIdle(t, primary, worker);
  });

  test(`an event over the receiver's maxPayloadBytes never reaches a listener and is reported once (${serialization})`, async (t) => {
    const { primary, worker } = openPair(t, { serialization, worker: { maxPayloadBytes: 2_048 } });
    const seen: unknown[] = [];
    const heard: unknown[] = [];
    worker.on('ping', (p) => void seen.push(p));
    worker.on('error', (error) => void heard.push(error));
    primary.emit('ping', { n: 1, ...big() } as never);
    primary.emit('ping', { n: 2 });
    // Events are delivered in order: once the second arrived, the first was handled.
    await within(
      new Promise<void>((resolve) => worker.on('ping', () => resolve())),
      5_000,
      'the small event',
    );
    t.deepEqual(seen, [{ n: 2 }]);
    t.is(heard.length, 1);
    t.regex((heard[0] as Error).message, /^event of "ping"/);
    t.like(worker.stats(), { eventsReceived: 2, protocolErrors: 1 });
  });
}

test('a frame whose size stamp is not a finite count is a protocol error', async (t) => {
  const { endpoint, log, send } = openRawLink(t);
  const heard: unknown[] = [];
  endpoint.on('error', (error) => void heard.push(error));
  for (const z of [-1, 'big', null, Infinity]) send({ k: 'call', i: `bad${String(z)}`, m: 'echo', p: { a: 1 }, z });
  send({ k: 'call', i: 'good', m: 'echo', p: { a: 1 }, z: 7 });
  t.like(await log.next((f) => f['i'] === 'good'), { k: 'ok', p: { a: 1 } });
  t.is(heard.length, 4);
  t.regex((heard[0] as Error).message, /call frame with a bad size/);
  t.is(log.frames.filter((f) => f['k'] === 'ok').length, 1);
});

for (const validateOutput of ['callee', 'both'] as const) {
  test(`validateOutput '${validateOutput}': a reply that breaks the output schema ${validateOutput === 'both' ? 'fails on the caller' : 'reaches the caller'}`, async (t) => {
    // The worker's endpoint calls the primary's `upper` (output: a string); the test answers by hand.
    const { endpoint, log, send } = openRawLink(t, { endpoint: { validateOutput } });
    const bad = endpoint.call('upper', 'abc');
    const request = await log.next((f) => f['k'] === 'call');
    send({ k: 'ok', i: request['i'], p: 42 });
    if (validateOutput === 'callee') {
      t.is(await within(bad as Promise<unknown>, 5_000, 'the call'), 42 as never);
    } else {
      const error = await t.throwsAsync(within(bad, 5_000, 'the call'), { instanceOf: RpcValidationError });
      t.like(error, { code: 'RPC_VALIDATION', method: 'upper', side: 'output' });
      t.is(endpoint.stats().validationFailures, 1);
    }
    const good = endpoint.call('upper', 'abc');
    const second = await log.next((f) => f['k'] === 'call' && f['i'] !== request['i']);
    send({ k: 'ok', i: second['i'], p: 'ABC' });
    t.is(await within(good, 5_000, 'the good call'), 'ABC');
  });
}

test("validateOutput must be 'callee' or 'both'", (t) => {
  const error = t.throws(() => createEndpoint(testContract, 'worker', openRawTransport(), { validateOutput: 'always' as never, handlers: workerHandlers(() => undefined as never, 1) }));
  t.regex(error!.message, /validateOutput/);
});

function openRawTransport() {
  // Not started: the options are checked before the endpoint touches its transport.
  return { serialization: 'advanced', peerName: 'x', closed: false, backlog: 0, start() {}, send: () => true, close() {} } as const;
}
