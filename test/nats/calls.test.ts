// Calls over a real nats-server: any member through the queue group, one member by id, events,
// validation on both sides, membership from heartbeats.
import test from 'ava';
import { z } from 'zod';
import { defineContract, RpcNoWorkerError, RpcRemoteError, RpcValidationError } from '../../src/index.js';
import { joinNamespace } from '../../src/nats/index.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, FAST, freshNamespace, joinPrimary, joinWorker, knows, withTimeout, type Primary } from './helpers.js';
import { testContract } from '../fixtures/contract.js';

let server: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

test('a call to any member reaches a worker through the queue group, and both workers take some', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const [a, b] = [await joinWorker(t, nc, ns, { pid: 1001 }), await joinWorker(t, nc, ns, { pid: 1002 })];
  const primary = await joinPrimary(t, nc, ns);
  t.regex(await primary.call('greet', { name: 'Ada' }), /^hello Ada from 100[12]$/);
  const pids = new Set<number>();
  for (let i = 0; i < 40; i++) pids.add((await primary.call('stats')).pid);
  t.deepEqual([...pids].sort(), [1001, 1002]);
  t.like(primary.stats(), { inFlight: 0, callsSent: 41, dropped: 0 });
  t.true(a.stats().callsReceived + b.stats().callsReceived === 41);
});

test('members learn of each other from heartbeats, with host, pid, side and label', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { label: 'admin' });
  const joined: string[] = [];
  primary.onMembers('joined', (m) => joined.push(m.id));
  const worker = await joinWorker(t, nc, ns, { label: 'w1' });
  await knows(primary, [worker.id]);
  await knows(worker, [primary.id]);
  const info = primary.members().find((m) => m.id === worker.id)!;
  t.like(info, { side: 'worker', pid: process.pid, label: 'w1', state: 'up' });
  t.true(info.since <= Date.now() && info.lastSeen <= Date.now());
  t.deepEqual(joined, [worker.id]);
  t.like(worker.members().find((m) => m.id === primary.id), { side: 'primary', label: 'admin' });
});

test('a member that closes says goodbye: the others see it leave at once', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { heartbeatInterval: 1_000, heartbeatTimeout: 60_000 });
  const worker = await joinWorker(t, nc, ns);
  await knows(primary, [worker.id]);
  const left = new Promise<string>((resolve) => primary.onMembers('left', (m, why) => resolve(`${m.id}:${why.reason}`)));
  await worker.close();
  t.is(await withTimeout(left, 20_000, 'the goodbye'), `${worker.id}:goodbye`);
  t.deepEqual(primary.members(), []);
});

test('one member by id answers, and only that one', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const a = await joinWorker(t, nc, ns, { pid: 2001 });
  const b = await joinWorker(t, nc, ns, { pid: 2002 });
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [a.id, b.id]);
  for (let i = 0; i < 5; i++) t.is((await primary.member(b.id)!.call('stats')).pid, 2002);
  t.is(a.stats().callsReceived, 0);
  t.is(primary.member(primary.id), undefined);
  t.is(primary.member('nobody'), undefined);
  t.is(primary.member(b.id)!.info?.id, b.id);
});

test('a handler sees the calling member in its context, and can call back the other side', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const seen: string[] = [];
  await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns, {
    handlers: { log: () => undefined, upper: (text, ctx) => (seen.push(ctx.member.id), text.toUpperCase()) },
  });
  t.is(await primary.call('callBack', { text: 'ping' }), 'PING!');
  t.is(seen.length, 1);
});

test('events reach every member of the namespace in send order, with the sender in their context', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const nc2 = await connectTo(t, server.url);
  const a = await joinWorker(t, nc, ns);
  const b = await joinWorker(t, nc2, ns);
  const primary = await joinPrimary(t, nc, ns);
  const got = { a: [] as number[], b: [] as number[] };
  const senders = new Set<string>();
  a.on('ping', ({ n }, ctx) => {
    got.a.push(n);
    senders.add(ctx.member.id);
  });
  b.on('ping', ({ n }) => {
    got.b.push(n);
  });
  for (let n = 0; n < 200; n++) primary.emit('ping', { n });
  await eventually(() => got.a.length === 200 && got.b.length === 200, 10_000, 'all events');
  const order = Array.from({ length: 200 }, (_, n) => n);
  t.deepEqual(got.a, order);
  t.deepEqual(got.b, order);
  t.deepEqual([...senders], [primary.id]);
});

test('inputs are validated by the callee, outputs by both sides', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  await t.throwsAsync(primary.call('greet', { name: 42 } as never), { instanceOf: RpcValidationError, message: /invalid input for "greet"/ });
  await t.throwsAsync(primary.call('badOutput'), { instanceOf: RpcValidationError, message: /invalid output/ });
  const error = await t.throwsAsync(primary.call('fail', { kind: 'coded' }), { instanceOf: RpcRemoteError });
  t.like(error, { remoteCode: 'E_CODED', data: { detail: 42 } });
});

test('a reply that passed a looser schema on the callee is refused by the caller', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const loose = defineContract({ worker: { stats: { output: z.unknown() } }, primary: {}, events: {} });
  const liar = await joinNamespace(nc, loose, { namespace: ns, side: 'worker', ...FAST, handlers: { stats: () => ({ pid: 'not a number' }) } });
  t.teardown(() => liar.close());
  const primary = await joinPrimary(t, nc, ns);
  const error = await t.throwsAsync(primary.call('stats'), { instanceOf: RpcValidationError });
  t.like(error, { side: 'output', method: 'stats' });
  const trusting = await joinPrimary(t, nc, ns, { validateReplies: false });
  t.deepEqual(await trusting.call('stats'), { pid: 'not a number' } as never);
});

test('a call nobody can take fails at once with RPC_NO_WORKER (the server says no responders)', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { timeout: 20_000 });
  const started = performance.now();
  const error = await t.throwsAsync(withTimeout(primary.call('stats'), 10_000, 'the no-responders answer'), { instanceOf: RpcNoWorkerError });
  t.true(performance.now() - started < 5_000);
  t.regex(error!.message, /not delivered/);
  t.false(error!.sent);
  t.like(primary.stats(), { inFlight: 0, remoteErrors: 0 });
});

test('a member with serve: false calls and watches, but never takes a call', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const logs: string[] = [];
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns, { handlers: { log: () => undefined, upper: (text) => (logs.push(text), text.toUpperCase()) } });
  const observer: Primary = await joinNamespace(nc, testContract, { namespace: ns, side: 'primary', serve: false, ...FAST });
  t.teardown(() => observer.close());
  await knows(observer, [worker.id, primary.id]);
  await knows(worker, [observer.id]);
  t.like(worker.members().find((m) => m.id === observer.id), { side: 'primary', serves: false });
  // Calls from the worker to "any primary" always reach the one that serves.
  for (let i = 0; i < 10; i++) t.is(await worker.call('upper', `x${i}`), `X${i}`);
  t.is(logs.length, 10);
  t.is(worker.member(observer.id), undefined);
  t.deepEqual((await worker.broadcast('upper', 'y')).map((r) => r.member.id), [primary.id]);
  t.is((await observer.call('stats')).pid, process.pid);
  await t.throwsAsync(() => joinNamespace(nc, testContract, { namespace: ns, side: 'worker', serve: false, handlers: {} as never }), { instanceOf: TypeError, message: /takes no handlers/ });
});

test('calls made in one tick to the same target travel together in one NATS message', async (t) => {
  const ns = freshNamespace();
  const worker = await joinWorker(t, await connectTo(t, server.url), ns);
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [worker.id]);
  // A plain subscriber counts the messages on the queue group's subject.
  let messages = 0;
  const spy = nc.subscribe(`crpc.${ns}.q.worker.*`, { callback: () => void messages++ });
  t.teardown(() => spy.unsubscribe());
  await nc.flush();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => primary.call('echo', i)));
  t.deepEqual(results, Array.from({ length: 100 }, (_, i) => i));
  await nc.flush();
  t.is(messages, 1);
});
