// Leaving gracefully: drain finishes what is in flight, takes nothing new, says goodbye; close
// settles at once; a lame-duck server makes its members drain.
import test from 'ava';
import { RpcClosedError } from '../../src/index.js';
import { startNatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, freshNamespace, joinPrimary, joinWorker, knows, withTimeout } from './helpers.js';

test('drain finishes the calls in flight, lets other members take new ones, then says goodbye', async (t) => {
  const server = await startNatsServer(t);
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const leaving = await joinWorker(t, nc, ns, { pid: 4001 });
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [leaving.id]);
  const inFlight = primary.member(leaving.id)!.call('sleep', { ms: 500 });
  await eventually(() => leaving.stats().handling === 1, 10_000, 'the call to start');
  const left = new Promise<string>((resolve) => primary.onMembers('left', (m, why) => resolve(`${m.id}:${why.reason}`)));
  const drained = leaving.drain({ timeout: 10_000 });
  await eventually(() => primary.members().find((m) => m.id === leaving.id)?.state === 'draining', 10_000, 'the draining heartbeat');
  const staying = await joinWorker(t, nc, ns, { pid: 4002 });
  await knows(primary, [staying.id]);
  // New calls to "any member" go to the one that stays.
  for (let i = 0; i < 5; i++) t.is((await primary.call('stats')).pid, 4002);
  t.deepEqual(await inFlight, { aborted: false });
  await withTimeout(drained, 10_000, 'the drain');
  t.is(await withTimeout(left, 10_000, 'the goodbye'), `${leaving.id}:goodbye`);
  t.false(leaving.isConnected);
  await t.throwsAsync(leaving.call('upper', 'x'), { instanceOf: RpcClosedError });
});

test('drain gives up on handlers still running at its timeout, and still says goodbye', async (t) => {
  const server = await startNatsServer(t);
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns, { timeout: 60_000 });
  await knows(primary, [worker.id]);
  const pending = primary.call('hang');
  await eventually(() => worker.stats().handling === 1, 10_000, 'the call to start');
  const started = performance.now();
  await withTimeout(worker.drain({ timeout: 300 }), 10_000, 'the drain');
  t.true(performance.now() - started < 5_000);
  await t.throwsAsync(withTimeout(pending, 10_000, 'the hanging call'), { instanceOf: RpcClosedError });
  await eventually(() => primary.members().length === 0, 10_000, 'the goodbye');
});

test('a server entering lame-duck mode makes its members drain and leave', async (t) => {
  const server = await startNatsServer(t);
  const ns = freshNamespace();
  const worker = await joinWorker(t, await connectTo(t, server.url), ns);
  const primary = await joinPrimary(t, await connectTo(t, server.url), ns, { lameDuck: 'ignore' });
  await knows(primary, [worker.id]);
  const left = new Promise<string>((resolve) => primary.onMembers('left', (m, why) => resolve(`${m.id}:${why.reason}`)));
  process.kill(server.pid, 'SIGUSR2'); // nats-server: enter lame-duck mode
  t.is(await withTimeout(left, 20_000, 'the worker to leave'), `${worker.id}:goodbye`);
  t.false(worker.isConnected);
  t.true(primary.isConnected, "lameDuck: 'ignore' stays");
});
