// This process's own NATS connection: lost, calls settle at once; during the reconnect calls fail
// fast (not sent, safe to retry); after it, subscriptions and membership come back.
import test from 'ava';
import { RpcClosedError, RpcPeerExitedError } from '../../src/index.js';
import { startNatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, freshNamespace, joinPrimary, joinWorker, knows, withTimeout } from './helpers.js';

const RECONNECT = { maxReconnectAttempts: -1, reconnectTimeWait: 100 } as const;

test('a lost connection settles pending calls at once; calls during the reconnect fail fast; then all comes back', async (t) => {
  const first = await startNatsServer(t);
  const ns = freshNamespace();
  const worker = await joinWorker(t, await connectTo(t, first.url, RECONNECT), ns);
  const primary = await joinPrimary(t, await connectTo(t, first.url, RECONNECT), ns, { timeout: 60_000 });
  await knows(primary, [worker.id]);
  const pending = primary.call('hang');
  await eventually(() => worker.stats().handling === 1, 10_000, 'the worker to take the call');
  const left: string[] = [];
  primary.onMembers('left', (m, why) => left.push(`${m.id}:${why.reason}`));
  await first.stop('SIGKILL');
  const error = await t.throwsAsync(withTimeout(pending, 10_000, 'the pending call'), { instanceOf: RpcPeerExitedError });
  t.like(error, { sent: true });
  t.regex(error!.message, /NATS connection/);
  t.false(primary.isConnected);
  t.deepEqual(left, [`${worker.id}:disconnected`]);
  const during = await t.throwsAsync(primary.call('stats'), { instanceOf: RpcPeerExitedError });
  t.like(during, { sent: false });
  // The worker's handler was told too: its caller is unreachable.
  await eventually(() => worker.stats().handling === 0, 10_000, 'the worker to drop the orphaned call');

  await startNatsServer(t, { port: first.port });
  await eventually(() => primary.isConnected && worker.isConnected, 20_000, 'both to reconnect');
  await knows(primary, [worker.id], 20_000);
  t.truthy((await withTimeout(primary.call('stats'), 10_000, 'a call after the reconnect')).pid);
  t.like(primary.stats(), { inFlight: 0 });
});

test('a connection closed by its owner closes the member: calls then reject with RPC_CLOSED', async (t) => {
  const server = await startNatsServer(t);
  const ns = freshNamespace();
  const worker = await joinWorker(t, await connectTo(t, server.url), ns);
  const nc = await connectTo(t, server.url);
  const primary = await joinPrimary(t, nc, ns, { timeout: 60_000 });
  await knows(primary, [worker.id]);
  const pending = primary.call('hang');
  await eventually(() => worker.stats().handling === 1, 10_000, 'the worker to take the call');
  await nc.close();
  await t.throwsAsync(withTimeout(pending, 10_000, 'the pending call'), { instanceOf: RpcPeerExitedError });
  await eventually(() => !primary.isConnected, 10_000, 'the member to close');
  await t.throwsAsync(primary.call('stats'), { instanceOf: RpcClosedError });
  await eventually(() => worker.stats().handling === 0, 10_000, 'the worker to hear the goodbye or the silence');
});
