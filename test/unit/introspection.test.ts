// stats() and inFlight(): finding stuck calls and counting what happened.
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { assertIdle, openPair } from '../fixtures/unit-helpers.js';

test('inFlight() lists a hanging call with its id, method, target and age', async (t) => {
  const { primary } = openPair(t);
  primary.call('hang').catch(() => {});
  const [first] = primary.inFlight();
  t.is(primary.inFlight().length, 1);
  t.is(first?.method, 'hang');
  t.is(first?.target, 'memory peer b');
  t.is(typeof first?.id, 'string');
  t.true(Number.isInteger(first?.ageMs) && (first?.ageMs ?? -1) >= 0);
  await delay(30);
  const [later] = primary.inFlight();
  t.is(later?.id, first?.id);
  t.true((later?.ageMs ?? 0) >= 25, `age ${later?.ageMs} ms after waiting 30 ms`);
});

test("inFlight() on the worker's side names the primary's end as its target", async (t) => {
  const { worker } = openPair(t, { primary: { handlers: { upper: () => new Promise<string>(() => {}) } } });
  worker.call('upper', 'x').catch(() => {});
  t.deepEqual(
    worker.inFlight().map(({ method, target }) => ({ method, target })),
    [{ method: 'upper', target: 'memory peer a' }],
  );
});

test('inFlight() is empty once the calls settle, and every call has its own id', async (t) => {
  const { primary, worker } = openPair(t);
  const calls = [primary.call('greet', { name: 'a' }), primary.call('greet', { name: 'b' }), primary.call('echo', 1)];
  const ids = primary.inFlight().map((c) => c.id);
  t.is(new Set(ids).size, 3);
  await Promise.all(calls);
  t.deepEqual(primary.inFlight(), []);
  assertIdle(t, primary, worker);
});

test('stats() counts calls sent and received, remote errors and validation failures on the right side', async (t) => {
  const { primary, worker } = openPair(t);
  await primary.call('greet', { name: 'a' });
  await t.throwsAsync(primary.call('fail', { kind: 'error' }));
  await t.throwsAsync(primary.call('greet', { name: 1 } as never));
  await worker.call('upper', 'x');
  const p = primary.stats();
  const w = worker.stats();
  t.like(p, { callsSent: 3, callsReceived: 1, remoteErrors: 1, validationFailures: 0, inFlight: 0, handling: 0, timeouts: 0, backlog: 0 });
  t.like(w, { callsSent: 1, callsReceived: 3, remoteErrors: 0, validationFailures: 1, inFlight: 0, handling: 0 });
});

test('stats() counts events sent and received', async (t) => {
  const { primary, worker } = openPair(t);
  primary.emit('ping', { n: 1 });
  primary.emit('configChanged', { version: 1 });
  await primary.call('greet', { name: 'a' });
  t.is(primary.stats().eventsSent, 2);
  t.is(worker.stats().eventsReceived, 2);
});

test('stats() returns a snapshot, not a live object', async (t) => {
  const { primary } = openPair(t);
  const before = primary.stats();
  await primary.call('greet', { name: 'a' });
  t.is(before.callsSent, 0);
  t.is(primary.stats().callsSent, 1);
});
