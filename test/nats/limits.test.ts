// Limits over NATS: payloads over min(maxPayloadBytes, the server's max_payload) are refused before
// sending, oversized messages are refused on receipt, maxInFlight and mailboxes answer RPC_BUSY.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { RpcBusyError, RpcPayloadTooLargeError } from '../../src/index.js';
import { workerHandlers } from '../fixtures/handlers.js';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, freshNamespace, joinPrimary, joinWorker, knows, type Worker } from './helpers.js';

let server: NatsServer;
let small: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'crpc-nats-'));
  writeFileSync(join(dir, 'small.conf'), 'max_payload: 8192\n');
  small = await startNatsServer(undefined, { config: join(dir, 'small.conf') });
});
test.after.always(async () => {
  await server?.stop();
  await small?.stop();
});

test('a payload over maxPayloadBytes is refused before it is sent', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns, { maxPayloadBytes: 1_000 });
  await t.throwsAsync(primary.call('echo', 'x'.repeat(2_000)), { instanceOf: RpcPayloadTooLargeError });
  t.throws(() => primary.emit('ping', { n: 1, pad: 'x'.repeat(2_000) } as never), { instanceOf: RpcPayloadTooLargeError });
  t.is(await primary.call('echo', 'small'), 'small');
  t.is(worker.stats().callsReceived, 1);
});

test("a payload over the server's max_payload is refused before it is sent, whatever maxPayloadBytes says", async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, small.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  const error = await t.throwsAsync(primary.call('echo', 'x'.repeat(9_000)), { instanceOf: RpcPayloadTooLargeError });
  t.true(error!.limit < 8_192);
  // Many small calls in one tick still travel, split under the server's limit.
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => primary.call('echo', `${i}`.padEnd(1_000, '.'))));
  t.is(many.length, 50);
  t.is(worker.stats().callsReceived, 50);
});

test('an oversized message is dropped on receipt and counted', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns, { maxPayloadBytes: 1_000 });
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  const frame = { '~crpc': 1, f: [{ k: 'call', i: 'big-1', m: 'echo', p: 'x'.repeat(100_000) }] };
  raw.publish(`crpc.${ns}.q.worker.rawcaller`, JSON.stringify(frame));
  await raw.flush();
  await eventually(() => worker.stats().dropped === 1, 10_000, 'the drop');
  t.is(worker.stats().callsReceived, 0);
});

test('maxInFlight refuses the call past it with RPC_BUSY, and a full mailbox answers RPC_BUSY', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const handlers = workerHandlers(() => worker as never);
  const worker: Worker = await joinWorker(t, nc, ns, { handlers: { ...handlers, sleep: { handler: handlers.sleep as never, concurrency: 1, maxQueue: 0 } } });
  const primary = await joinPrimary(t, nc, ns, { maxInFlight: 2 });
  await knows(primary, [worker.id]);
  const hanging = [primary.call('hang', undefined, { timeout: 60_000 }).catch(() => 'settled')];
  const first = primary.member(worker.id)!.call('sleep', { ms: 30_000 }).catch(() => 'settled');
  await eventually(() => worker.stats().handling === 2, 10_000, 'two calls handled');
  await t.throwsAsync(primary.call('stats'), { instanceOf: RpcBusyError, message: /maxInFlight/ });
  // Mailboxes are per calling member, as they are per worker on the primary's hub.
  const other = await joinPrimary(t, nc, ns);
  await knows(other, [worker.id]);
  const running = other.member(worker.id)!.call('sleep', { ms: 30_000 }).catch(() => 'settled');
  await eventually(() => worker.stats().handling === 3, 10_000, 'three calls handled');
  await t.throwsAsync(other.member(worker.id)!.call('sleep', { ms: 1 }), { instanceOf: RpcBusyError, message: /mailbox/ });
  await other.close();
  await primary.close();
  t.deepEqual(await Promise.all([...hanging, first, running]), ['settled', 'settled', 'settled']);
});
