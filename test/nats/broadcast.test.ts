// Broadcast over NATS: one settled entry per known member of the other side, with a deadline.
// Members that vanished answer at once (no responders); silent ones reject at the deadline.
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { RpcNoWorkerError, RpcTimeoutError } from '../../src/index.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, freshNamespace, joinPrimary, joinWorker, knows, withTimeout } from './helpers.js';

let server: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

function heartbeat(id: string): string {
  return JSON.stringify({ v: 1, id, side: 'worker', host: 'nowhere', pid: 1, label: '', since: Date.now(), load: 0, state: 'up' });
}

test('broadcast settles one entry per member: answers, a silent member at the deadline, a vanished one at once', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const a = await joinWorker(t, nc, ns, { pid: 3001 });
  const b = await joinWorker(t, await connectTo(t, server.url), ns, { pid: 3002 });
  const primary = await joinPrimary(t, nc, ns, { heartbeatTimeout: 30_000, heartbeatInterval: 1_000 });
  // Two members that exist only as heartbeats: one listens and never answers, one listens to nothing.
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  raw.subscribe(`crpc.${ns}.m.silentone.*`, { callback: () => {} });
  await raw.flush();
  raw.publish(`crpc.${ns}.hb`, heartbeat('silentone'));
  raw.publish(`crpc.${ns}.hb`, heartbeat('vanished'));
  await knows(primary, [a.id, b.id, 'silentone', 'vanished']);
  const started = performance.now();
  const results = await withTimeout(primary.broadcast('stats', undefined, { timeout: 4_000 }), 20_000, 'the broadcast');
  const elapsed = performance.now() - started;
  t.is(results.length, 4);
  const by = new Map(results.map((r) => [r.member.id, r]));
  t.like(by.get(a.id), { status: 'fulfilled', value: { pid: 3001 } });
  t.like(by.get(b.id), { status: 'fulfilled', value: { pid: 3002 } });
  const silent = by.get('silentone')!;
  t.is(silent.status, 'rejected');
  t.true(silent.status === 'rejected' && silent.reason instanceof RpcTimeoutError);
  t.true(silent.ms >= 3_900);
  const vanished = by.get('vanished')!;
  t.true(vanished.status === 'rejected' && vanished.reason instanceof RpcNoWorkerError, String(vanished.status === 'rejected' && vanished.reason));
  t.true(vanished.ms < 3_500, 'at once, not at the deadline');
  t.true(elapsed < 15_000);
  for (const r of results) t.true(typeof r.ms === 'number' && r.ms >= 0);
  t.false(primary.members().some((m) => m.id === 'vanished'), 'a member nobody listens for is dropped');
});

test('broadcast with no member of the other side resolves to []', async (t) => {
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, freshNamespace());
  t.deepEqual(await primary.broadcast('stats'), []);
});

test("a broadcast aborted by the caller's signal rejects every entry with its reason", async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const workers = [await joinWorker(t, nc, ns), await joinWorker(t, nc, ns), await joinWorker(t, nc, ns)];
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, workers.map((w) => w.id));
  const controller = new AbortController();
  const pending = primary.broadcast('hang', undefined, { signal: controller.signal });
  const reason = new Error('enough');
  setImmediate(() => controller.abort(reason));
  const results = await withTimeout(pending, 10_000, 'the broadcast');
  t.is(results.length, 3);
  t.true(results.every((r) => r.status === 'rejected' && r.reason === reason));
});
