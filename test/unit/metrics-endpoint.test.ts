// The endpoint feeds the RPC instruments (`metrics` option) where things happen: durations by
// method and outcome on both sides, refusals by reason, late replies, protocol errors, peer exits,
// and the gauges read at snapshot time. Over the memory pair and a raw end.
import test from 'ava';
import { RpcBusyError, RpcTimeoutError, createEndpoint } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing.js';
import { createRpcMetrics, MetricsRegistry } from '../../src/metrics/index.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers } from '../fixtures/handlers.js';
import { openPair, openRawLink, until, within } from '../fixtures/unit-helpers.js';

/** A registry with the RPC instruments, and a reader of its series. */
function instruments() {
  const registry = new MetricsRegistry();
  const metrics = createRpcMetrics(registry);
  const series = (name: string, labels: Record<string, string> = {}): Record<string, unknown> | undefined => {
    const family = registry.snapshot().families.find((f) => f.name === name);
    const found = family?.series.find(
      (s) => Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    return found as Record<string, unknown> | undefined;
  };
  const count = (name: string, labels: Record<string, string> = {}): number => {
    const s = series(name, labels);
    return s === undefined ? 0 : Number(s['count'] ?? s['value']);
  };
  return { registry, metrics, series, count };
}

test('settled calls are timed by method and outcome on the caller and on the callee', async (t) => {
  const caller = instruments();
  const callee = instruments();
  const { primary } = openPair(t, { primary: { metrics: caller.metrics }, worker: { metrics: callee.metrics } });
  for (let i = 0; i < 3; i++) await within(primary.call('greet', { name: 'Ada' }), 5_000, 'greet');
  await t.throwsAsync(within(primary.call('fail', { kind: 'error' }), 5_000, 'fail'), { code: 'RPC_REMOTE' });
  await t.throwsAsync(within(primary.call('badOutput'), 5_000, 'badOutput'), { code: 'RPC_VALIDATION' });
  await t.throwsAsync(within(primary.call('sleep', { ms: 10_000 }, { timeout: 30 }), 5_000, 'sleep'), { instanceOf: RpcTimeoutError });
  // The callee settles the timed-out call when the cancel arrives.
  await until(() => callee.count('rpc_server_duration_seconds', { method: 'sleep', outcome: 'RPC_TIMEOUT' }) === 1, 5_000, 'the callee settles the cancelled call');

  t.is(caller.count('rpc_client_duration_seconds', { method: 'greet', outcome: 'ok' }), 3);
  t.is(caller.count('rpc_client_duration_seconds', { method: 'fail', outcome: 'RPC_REMOTE' }), 1);
  t.is(caller.count('rpc_client_duration_seconds', { method: 'badOutput', outcome: 'RPC_VALIDATION' }), 1);
  t.is(caller.count('rpc_client_duration_seconds', { method: 'sleep', outcome: 'RPC_TIMEOUT' }), 1);
  t.is(callee.count('rpc_server_duration_seconds', { method: 'greet', outcome: 'ok' }), 3);
  t.is(callee.count('rpc_server_duration_seconds', { method: 'fail', outcome: 'RPC_REMOTE' }), 1);
  t.is(callee.count('rpc_server_duration_seconds', { method: 'badOutput', outcome: 'RPC_VALIDATION' }), 1);
  // The timeout's duration is at least its 30 ms, in seconds.
  const timedOut = caller.series('rpc_client_duration_seconds', { method: 'sleep', outcome: 'RPC_TIMEOUT' });
  t.true(Number(timedOut?.['sum']) >= 0.029 && Number(timedOut?.['sum']) < 5, `sum ${String(timedOut?.['sum'])}`);
  // Each side records only its own direction.
  t.is(caller.count('rpc_server_duration_seconds', { method: 'greet', outcome: 'ok' }), 0);
  t.is(callee.count('rpc_client_duration_seconds', { method: 'greet', outcome: 'ok' }), 0);
});

test('with the clock read once per batch of frames delivered together, every duration still covers its handler', async (t) => {
  // The clock is read once per batch of frames delivered together (the calls of one envelope, the
  // replies of another): 20 calls in flight each wait 40 ms in their handler.
  const caller = instruments();
  const callee = instruments();
  const { primary } = openPair(t, { primary: { metrics: caller.metrics }, worker: { metrics: callee.metrics } });
  await within(Promise.all(Array.from({ length: 20 }, () => primary.call('sleep', { ms: 40 }))), 5_000, 'the batch');
  await until(() => callee.count('rpc_server_duration_seconds', { method: 'sleep', outcome: 'ok' }) === 20, 5_000, 'the callee to time all 20');
  const client = caller.series('rpc_client_duration_seconds', { method: 'sleep', outcome: 'ok' });
  const server = callee.series('rpc_server_duration_seconds', { method: 'sleep', outcome: 'ok' });
  t.is(Number(client?.['count']), 20);
  // Each of the 20 took at least its handler's 40 ms on both sides (timers may fire a little early).
  t.true(Number(server?.['sum']) >= 20 * 0.039, `server sum ${String(server?.['sum'])}`);
  t.true(Number(client?.['sum']) >= Number(server?.['sum']) - 0.001, `client sum ${String(client?.['sum'])} against server ${String(server?.['sum'])}`);
});

test('calls refused before they are sent are counted by reason, and are not timed', async (t) => {
  const caller = instruments();
  const { primary } = openPair(t, { primary: { metrics: caller.metrics, maxInFlight: 1, maxPayloadBytes: 64, validateInput: 'both' } });
  await t.throwsAsync(primary.call('echo', 'x'.repeat(1_000)), { code: 'RPC_PAYLOAD_TOO_LARGE' });
  await t.throwsAsync(primary.call('greet', { name: 42 } as never), { code: 'RPC_VALIDATION' });
  await t.throwsAsync((primary.call as (m: string) => Promise<unknown>)('nope'), { code: 'RPC_UNKNOWN_METHOD' });
  const controller = new AbortController();
  controller.abort(new Error('mine'));
  await t.throwsAsync(primary.call('greet', { name: 'Ada' }, { signal: controller.signal }), { message: 'mine' });
  const hanging = primary.call('hang').catch((error: unknown) => error);
  await t.throwsAsync(primary.call('greet', { name: 'Ada' }), { instanceOf: RpcBusyError });
  await primary.close();
  t.like(await within(hanging, 5_000, 'the hanging call'), { code: 'RPC_CLOSED' });
  await t.throwsAsync(primary.call('greet', { name: 'Ada' }), { code: 'RPC_CLOSED' });

  for (const reason of ['RPC_PAYLOAD_TOO_LARGE', 'RPC_VALIDATION', 'RPC_UNKNOWN_METHOD', 'RPC_ABORTED', 'RPC_BUSY', 'RPC_CLOSED']) {
    t.is(caller.count('rpc_client_refused_total', { reason }), 1, reason);
  }
  // Only the call that was sent is timed: the hanging one, closed under it.
  t.is(caller.count('rpc_client_duration_seconds', { method: 'hang', outcome: 'RPC_CLOSED' }), 1);
  t.is(caller.count('rpc_client_duration_seconds', { method: 'greet', outcome: 'ok' }), 0);
});

test('the callee counts what it refuses before a handler runs, and its mailbox queue is a gauge', async (t) => {
  const callee = instruments();
  const { primary, worker } = openPair(t, { worker: { metrics: callee.metrics, concurrency: 1, maxQueue: 2 } });
  const calls = [0, 1, 2].map(() => primary.call('sleep', { ms: 200 }));
  await until(() => worker.stats().handling === 3, 5_000, 'three calls arrive');
  t.is(callee.count('rpc_server_mailbox_queue_length', { mailbox: 'shared' }), 2);
  t.is(callee.count('rpc_server_active_calls'), 3);
  await t.throwsAsync(within(primary.call('sleep', { ms: 1 }), 5_000, 'the fourth call'), { code: 'RPC_BUSY' });
  t.is(callee.count('rpc_server_refused_total', { reason: 'RPC_BUSY' }), 1);
  await within(Promise.all(calls), 5_000, 'the queued calls');
  // The mailbox wait is part of a served call's duration: the last waited for the two before it.
  const served = callee.series('rpc_server_duration_seconds', { method: 'sleep', outcome: 'ok' });
  t.is(served?.['count'], 3);
  t.true(Number(served?.['sum']) >= 0.2 + 0.4 + 0.6 - 0.05, `sum ${String(served?.['sum'])}`);
  t.is(callee.count('rpc_server_mailbox_queue_length', { mailbox: 'shared' }), 0);
  t.is(callee.count('rpc_server_refused_total', { reason: 'RPC_BUSY' }), 1, 'the refused call was not timed as served');
});

test('late replies, protocol errors and the peer going away are counted; the gauges stop being read', async (t) => {
  const m = instruments();
  const { endpoint, send, log, raw } = openRawLink(t, { endpoint: { metrics: m.metrics, timeout: 20 } });
  const problems: Error[] = [];
  endpoint.on('error', (error) => problems.push(error));
  const call = endpoint.call('upper', 'hi').catch((error: unknown) => error);
  const frame = await log.next((f) => f['k'] === 'call');
  t.like(await within(call, 5_000, 'the call'), { code: 'RPC_TIMEOUT' });
  send({ k: 'ok', i: frame['i'], p: 'HI' }); // after its timeout: late
  send({ k: 'call', i: 'x1', m: 'not-a-procedure' });
  send({ k: 'nonsense' });
  send('not even an object');
  await log.next((f) => f['k'] === 'err' && f['i'] === 'x1');
  t.is(m.count('rpc_client_late_replies_total'), 1);
  t.is(m.count('rpc_server_refused_total', { reason: 'RPC_UNKNOWN_METHOD' }), 1);
  t.is(m.count('rpc_protocol_errors_total'), 2);
  t.is(problems.length, 2, 'each protocol error is also reported');
  t.is(m.count('rpc_client_duration_seconds', { method: 'upper', outcome: 'RPC_TIMEOUT' }), 1);
  t.is(m.count('rpc_peer_exits_total'), 0);

  const hanging = endpoint.call('upper', 'again', { timeout: 30_000 }).catch((error: unknown) => error);
  await log.next((f) => f['k'] === 'call' && f['p'] === 'again');
  t.is(m.count('rpc_client_active_calls'), 1);
  raw.close(); // the other end goes away
  t.like(await within(hanging, 5_000, 'the call in flight'), { code: 'RPC_PEER_EXITED' });
  t.is(m.count('rpc_peer_exits_total'), 1);
  t.is(m.count('rpc_client_duration_seconds', { method: 'upper', outcome: 'RPC_PEER_EXITED' }), 1);
  // A closed endpoint is no longer watched: its gauges leave the sums.
  t.is(m.count('rpc_client_active_calls'), 0);
});

test('closing an endpoint itself is not a peer exit', async (t) => {
  const m = instruments();
  const { primary } = openPair(t, { primary: { metrics: m.metrics } });
  await within(primary.call('greet', { name: 'Ada' }), 5_000, 'greet');
  await primary.close();
  t.is(m.count('rpc_peer_exits_total'), 0);
});

test('one set of hooks serves many endpoints: their figures add up', async (t) => {
  const m = instruments();
  const a = openPair(t, { primary: { metrics: m.metrics } });
  const b = openPair(t, { primary: { metrics: m.metrics } });
  await within(Promise.all([a.primary.call('greet', { name: 'a' }), b.primary.call('greet', { name: 'b' })]), 5_000, 'greets');
  t.is(m.count('rpc_client_duration_seconds', { method: 'greet', outcome: 'ok' }), 2);
});

test('metrics and tracing options that are not hooks are refused with a TypeError naming them', (t) => {
  const [a] = createMemoryTransportPair();
  const make = (options: object) => () => createEndpoint(testContract, 'primary', a, { handlers: primaryHandlers(), ...options } as never);
  t.throws(make({ metrics: {} }), { instanceOf: TypeError, message: /createEndpoint: metrics must be the hooks createRpcMetrics\(registry\) returns.*without callSettled/ });
  t.throws(make({ metrics: 'on' }), { instanceOf: TypeError, message: /metrics must be/ });
  t.throws(make({ tracing: true }), { instanceOf: TypeError, message: /createEndpoint: tracing must be the hooks loadRpcTracing\(\) returns/ });
  t.throws(make({ tracing: { startClient: () => undefined } }), { instanceOf: TypeError, message: /without startServer/ });
});
