// Mailboxes (concurrency, maxQueue) and the bound on calls in flight (maxInFlight).
import { setTimeout as delay } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { z } from 'zod';
import { defineContract, RpcBusyError, RpcTimeoutError, type EndpointOptions, type HandlerContext, type Handlers } from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { assertIdle, deferred, openPair, within, type Deferred } from '../fixtures/unit-helpers.js';

const actor = defineContract({
  worker: {
    work: { input: z.object({ id: z.number(), ms: z.number() }), output: z.number() },
    quick: { input: z.number(), output: z.number() },
  },
});
type A = typeof actor;

/** A pair over the actor contract whose `work` handler logs start and end and sleeps `ms`. */
function actorPair(t: ExecutionContext, worker: EndpointOptions, perProcedure?: { concurrency?: number; maxQueue?: number }) {
  const log: string[] = [];
  const work = async ({ id, ms }: { id: number; ms: number }) => {
    log.push(`start ${id}`);
    await delay(ms);
    log.push(`end ${id}`);
    return id;
  };
  const handlers: Handlers<A['worker'], HandlerContext> = {
    work: perProcedure === undefined ? work : { handler: work, ...perProcedure },
    quick: (n) => {
      log.push(`quick ${n}`);
      return n;
    },
  };
  const pair = connectMemoryPair(actor, { worker: { ...worker, handlers } });
  t.teardown(async () => {
    await pair.primary.close();
    await pair.worker.close();
  });
  return { ...pair, log };
}

/** A pair over the actor contract whose `work` calls each wait for their own gate. */
function gatedPair(t: ExecutionContext, worker: EndpointOptions, perProcedure?: { concurrency?: number; maxQueue?: number }) {
  const gates = new Map<number, Deferred<void>>();
  const started: number[] = [];
  const gate = (id: number): Deferred<void> => {
    let g = gates.get(id);
    if (g === undefined) gates.set(id, (g = deferred()));
    return g;
  };
  const work = async ({ id }: { id: number }) => {
    started.push(id);
    await gate(id).promise;
    return id;
  };
  const pair = connectMemoryPair(actor, {
    worker: { ...worker, handlers: { work: perProcedure === undefined ? work : { handler: work, ...perProcedure }, quick: (n) => n } },
  });
  t.teardown(async () => {
    await pair.primary.close();
    await pair.worker.close();
  });
  return { ...pair, gate, started };
}

const DURATIONS = [25, 15, 5, 0];

test('with concurrency 1 on the endpoint, calls run one at a time in arrival order', async (t) => {
  const { primary, worker, log } = actorPair(t, { concurrency: 1 });
  const results = await within(Promise.all(DURATIONS.map((ms, id) => primary.call('work', { id, ms }))), 5_000, 'work');
  t.deepEqual(results, [0, 1, 2, 3]);
  t.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  assertIdle(t, primary, worker);
});

test('without a concurrency limit, calls overlap', async (t) => {
  const { primary, worker, log } = actorPair(t, {});
  await within(Promise.all(DURATIONS.map((ms, id) => primary.call('work', { id, ms }))), 5_000, 'work');
  t.deepEqual(log.slice(0, 4), ['start 0', 'start 1', 'start 2', 'start 3']);
  t.deepEqual(log.slice(4), ['end 3', 'end 2', 'end 1', 'end 0']);
  assertIdle(t, primary, worker);
});

test('with concurrency 1 on one procedure, its calls run one at a time in arrival order', async (t) => {
  const { primary, worker, log } = actorPair(t, {}, { concurrency: 1 });
  await within(Promise.all(DURATIONS.map((ms, id) => primary.call('work', { id, ms }))), 5_000, 'work');
  t.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  assertIdle(t, primary, worker);
});

test("a procedure's own concurrency 1 does not hold up the endpoint's other procedures", async (t) => {
  const { primary, worker, gate, started } = gatedPair(t, {}, { concurrency: 1 });
  const first = primary.call('work', { id: 1, ms: 0 });
  const second = primary.call('work', { id: 2, ms: 0 });
  t.is(await primary.call('quick', 7), 7, 'quick answers while work is busy');
  t.deepEqual(started, [1], 'the second work call waits');
  gate(1).resolve();
  t.is(await first, 1);
  gate(2).resolve();
  t.is(await second, 2);
  assertIdle(t, primary, worker);
});

test('concurrency 1 on the endpoint is one mailbox for all its procedures', async (t) => {
  const { primary, worker, log } = actorPair(t, { concurrency: 1 });
  const results = await within(
    Promise.all([primary.call('work', { id: 0, ms: 20 }), primary.call('quick', 1), primary.call('work', { id: 2, ms: 0 })]),
    2_000,
    'calls',
  );
  t.deepEqual(results, [0, 1, 2]);
  t.deepEqual(log, ['start 0', 'end 0', 'quick 1', 'start 2', 'end 2']);
  assertIdle(t, primary, worker);
});

test('concurrency 2 runs at most two calls at once', async (t) => {
  let running = 0;
  let most = 0;
  const pair = connectMemoryPair(actor, {
    worker: {
      concurrency: 2,
      handlers: {
        work: async ({ id, ms }) => {
          most = Math.max(most, ++running);
          await delay(ms);
          running--;
          return id;
        },
        quick: (n) => n,
      },
    },
  });
  t.teardown(() => pair.primary.close());
  await within(Promise.all([5, 0, 10, 0, 5, 0].map((ms, id) => pair.primary.call('work', { id, ms }))), 5_000, 'work');
  t.is(most, 2);
  assertIdle(t, pair.primary, pair.worker);
});

test('a full mailbox queue answers RpcBusyError with scope mailbox, and the queued calls still run', async (t) => {
  const { primary, worker, gate } = gatedPair(t, { concurrency: 1, maxQueue: 1 });
  const running = primary.call('work', { id: 1, ms: 0 });
  const queued = primary.call('work', { id: 2, ms: 0 });
  const error = await t.throwsAsync(primary.call('work', { id: 3, ms: 0 }), { instanceOf: RpcBusyError });
  t.is(error?.code, 'RPC_BUSY');
  t.is(error?.scope, 'mailbox');
  t.is(error?.limit, 1);
  t.is(worker.stats().handling, 2);
  gate(1).resolve();
  gate(2).resolve();
  t.deepEqual(await within(Promise.all([running, queued]), 5_000, 'work'), [1, 2]);
  assertIdle(t, primary, worker);
});

test("a procedure's own maxQueue bounds its own mailbox", async (t) => {
  const { primary, worker, gate } = gatedPair(t, {}, { concurrency: 1, maxQueue: 0 });
  const running = primary.call('work', { id: 1, ms: 0 });
  const error = await t.throwsAsync(primary.call('work', { id: 2, ms: 0 }), { instanceOf: RpcBusyError });
  t.is(error?.scope, 'mailbox');
  t.is(error?.limit, 0);
  gate(1).resolve();
  t.is(await running, 1);
  assertIdle(t, primary, worker);
});

test('a queued call whose caller timed out never runs', async (t) => {
  // work has its own mailbox, so quick can prove by a round trip that the cancel has arrived.
  const { primary, worker, gate, started } = gatedPair(t, {}, { concurrency: 1 });
  const running = primary.call('work', { id: 1, ms: 0 });
  await t.throwsAsync(within(primary.call('work', { id: 2, ms: 0 }, { timeout: 30 }), 5_000, 'work 2'), { instanceOf: RpcTimeoutError });
  await primary.call('quick', 0);
  t.is(worker.stats().handling, 1, 'the callee forgot the cancelled call');
  const third = primary.call('work', { id: 3, ms: 0 });
  gate(1).resolve();
  gate(3).resolve();
  t.deepEqual(await within(Promise.all([running, third]), 5_000, 'work'), [1, 3]);
  t.deepEqual(started, [1, 3]);
  assertIdle(t, primary, worker);
});

test('a queued call whose caller timed out frees its place in the mailbox queue', async (t) => {
  const { primary, worker, gate } = gatedPair(t, {}, { concurrency: 1, maxQueue: 1 });
  const running = primary.call('work', { id: 1, ms: 0 });
  running.catch(() => {});
  await t.throwsAsync(within(primary.call('work', { id: 2, ms: 0 }, { timeout: 30 }), 5_000, 'work 2'), { instanceOf: RpcTimeoutError });
  await primary.call('quick', 0);
  t.is(worker.stats().handling, 1, 'the callee forgot the cancelled call');
  // Nothing waits in the queue now, so a new call must be queued, not refused.
  let refusal: unknown;
  const third = primary.call('work', { id: 3, ms: 0 });
  third.catch((error: unknown) => {
    refusal = error;
  });
  await primary.call('quick', 0); // the third call has arrived while work 1 still runs
  t.is(refusal, undefined, 'the third call was queued');
  gate(1).resolve();
  gate(3).resolve();
  t.deepEqual(await within(Promise.all([running, third]), 5_000, 'work'), [1, 3]);
  assertIdle(t, primary, worker);
});

test('past maxInFlight a call rejects at once on the caller with RpcBusyError scope in-flight', async (t) => {
  const { primary, worker } = openPair(t, { primary: { maxInFlight: 2 } });
  const hanging = [primary.call('hang'), primary.call('hang')];
  for (const h of hanging) h.catch(() => {});
  const error = await t.throwsAsync(primary.call('greet', { name: 'x' }), { instanceOf: RpcBusyError });
  t.is(error?.code, 'RPC_BUSY');
  t.is(error?.scope, 'in-flight');
  t.is(error?.limit, 2);
  t.is(primary.stats().callsSent, 2);
  t.is(primary.stats().inFlight, 2);
  await primary.close();
  t.is(primary.stats().inFlight, 0);
});

test('past maxInFlight on the callee an incoming call is answered with RpcBusyError scope in-flight', async (t) => {
  const { primary, worker } = openPair(t, { worker: { maxInFlight: 2 } });
  const hanging = [primary.call('hang'), primary.call('hang')];
  for (const h of hanging) h.catch(() => {});
  const error = await t.throwsAsync(primary.call('greet', { name: 'x' }), { instanceOf: RpcBusyError });
  t.is(error?.code, 'RPC_BUSY');
  t.is(error?.scope, 'in-flight');
  t.is(error?.limit, 2);
  t.is(worker.stats().callsReceived, 3);
  t.is(worker.stats().handling, 2);
  t.is(primary.stats().inFlight, 2);
});
