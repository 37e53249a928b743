// The other end's transport goes away: pending calls reject at once with RpcPeerExitedError and
// say whether their request had left this process.
import test, { type ExecutionContext } from 'ava';
import { createEndpoint, RpcPeerExitedError, type HandlerContext, type Transport } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';
import { deferred, within, type PrimarySide, type WorkerSide } from '../fixtures/unit-helpers.js';

function link(t: ExecutionContext, sleep?: (input: { ms: number }, ctx: HandlerContext) => Promise<{ aborted: boolean }>) {
  const [a, b] = createMemoryTransportPair();
  const primary: PrimarySide = createEndpoint(testContract, 'primary', a, { handlers: primaryHandlers() });
  const worker: WorkerSide = createEndpoint(testContract, 'worker', b, {
    handlers: { ...workerHandlers(() => worker, 1), ...(sleep !== undefined ? { sleep } : {}) },
  });
  t.teardown(async () => {
    await primary.close();
    await worker.close();
  });
  return { primary, worker, a, b: b as Transport };
}

test("closing the other end's transport rejects calls that had been sent with RpcPeerExitedError, sent: true", async (t) => {
  const { primary, b } = link(t);
  const calls = [primary.call('hang'), primary.call('hang')];
  await primary.call('greet', { name: 'x' }); // both calls have arrived
  const started = performance.now();
  b.close();
  for (const call of calls) {
    const error = await t.throwsAsync(within(call, 5_000, 'call'), { instanceOf: RpcPeerExitedError });
    t.is(error?.code, 'RPC_PEER_EXITED');
    t.true(error?.sent);
    t.is(error?.exitCode, null);
    t.is(error?.signal, null);
    t.is(error?.workerId, undefined);
    t.regex(error?.message ?? '', /had been sent \(outcome unknown\)/);
  }
  t.true(performance.now() - started < 5_000, 'at once, not after the 30 s timeout');
  t.is(primary.stats().inFlight, 0);
});

test('a call still queued when the other end goes away rejects with RpcPeerExitedError, sent: false', async (t) => {
  const { primary, b } = link(t);
  await primary.call('greet', { name: 'x' });
  b.close();
  const call = primary.call('greet', { name: 'queued' }); // its frame cannot leave any more
  const error = await t.throwsAsync(within(call, 5_000, 'greet'), { instanceOf: RpcPeerExitedError });
  t.false(error?.sent);
  t.regex(error?.message ?? '', /never sent \(safe to retry\)/);
  t.is(primary.stats().inFlight, 0);
});

test('a call written to the channel but never delivered rejects with RpcPeerExitedError, sent: false', async (t) => {
  const { primary, b } = link(t);
  await primary.call('greet', { name: 'x' });
  const call = primary.call('greet', { name: 'lost' });
  await Promise.resolve(); // the batch is written on a microtask…
  await Promise.resolve();
  b.close(); // …and the other end closes before it is delivered
  const error = await t.throwsAsync(within(call, 5_000, 'greet'), { instanceOf: RpcPeerExitedError });
  t.false(error?.sent);
});

test('after the other end went away a new call rejects at once with RpcPeerExitedError', async (t) => {
  const { primary, b } = link(t);
  const exited = deferred();
  primary.call('hang').catch(() => exited.resolve());
  await primary.call('greet', { name: 'x' });
  b.close();
  await within(exited.promise, 5_000, 'the exit');
  const error = await t.throwsAsync(primary.call('greet', { name: 'y' }), { instanceOf: RpcPeerExitedError });
  t.false(error?.sent);
  t.false(primary.isConnected);
  t.is(primary.stats().callsSent, 2);
});

test("the other end going away aborts the signals of the handlers serving its calls", async (t) => {
  const started = deferred();
  const aborted = deferred<unknown>();
  const { primary, worker, a } = link(t, (_input, ctx) => {
    started.resolve();
    return new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.resolve(ctx.signal.reason);
        resolve({ aborted: true });
      });
    });
  });
  primary.call('sleep', { ms: 0 }).catch(() => {});
  await within(started.promise, 5_000, 'the handler start');
  a.close();
  const reason = await within(aborted.promise, 5_000, 'the abort');
  t.true(reason instanceof RpcPeerExitedError);
  t.is(worker.stats().handling, 0);
});
