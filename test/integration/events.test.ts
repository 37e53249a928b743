// Events over real IPC: to every worker from the primary, and validated on the way back.
import test from 'ava';
import { RpcValidationError, type WorkerInfo } from '../../src/index.js';
import { BOUND, startHub, withTimeout } from './helpers.js';

test("hub.emit reaches every worker, and each worker's event reaches the primary's listener with that worker in its context", async (t) => {
  const { hub, fork, logs } = startHub(t);
  const handles = [fork(), fork()];
  await Promise.all(handles.map((h) => logs.ready(h)));
  const pings: { n: number; worker: WorkerInfo }[] = [];
  const both = new Promise<void>((resolve) => {
    hub.on('ping', ({ n }, ctx) => {
      pings.push({ n, worker: ctx.worker });
      if (pings.length === 2) resolve();
    });
  });
  // Each fixture answers configChanged with a ping carrying the version.
  hub.emit('configChanged', { version: 7 });
  await withTimeout(both, BOUND.reply, 'a ping from each worker');
  t.deepEqual(
    pings.sort((a, b) => a.worker.id - b.worker.id),
    handles.map((h) => ({ n: 7, worker: { id: h.id, pid: h.pid } })).sort((a, b) => a.worker.id - b.worker.id),
  );
  t.is(hub.stats().eventsSent, 2);
});

test("an invalid event from a worker is reported on the hub's error listener and never reaches the event listener", async (t) => {
  const { hub, fork, logs } = startHub(t);
  const handle = fork({ FIXTURE_ROLE: 'bad-event' }, 'int-worker.ts');
  await logs.ready(handle);
  const errors: { error: Error; worker: WorkerInfo }[] = [];
  hub.on('error', (error, ctx) => void errors.push({ error, worker: ctx.worker }));
  const pings: unknown[] = [];
  // The fixture answers with an invalid ping, then a valid one: when the valid one arrives, the invalid one was handled.
  const valid = new Promise<void>((resolve) => {
    hub.on('ping', (payload) => {
      pings.push(payload);
      resolve();
    });
  });
  hub.emit('configChanged', { version: 3 });
  await withTimeout(valid, BOUND.reply, 'the valid ping');
  t.deepEqual(pings, [{ n: 3 }]);
  t.is(errors.length, 1);
  const [first] = errors;
  t.true(first?.error instanceof RpcValidationError, String(first?.error));
  t.like(first?.error, { code: 'RPC_VALIDATION', method: 'ping', side: 'event' });
  t.deepEqual((first?.error as RpcValidationError).issues.map((i) => i.path), [['n']]);
  t.deepEqual(first?.worker, { id: handle.id, pid: handle.pid });
  t.is(hub.stats().validationFailures, 1);
});
