// The instruments: what each hook records, with every label bounded.
import test from 'ava';
import {
  createHttpPrimaryMetrics,
  createHttpWorkerMetrics,
  createRpcMetrics,
  MetricsRegistry,
  outcomeOf,
  registerProcessMetrics,
  type MetricFamily,
} from '../../src/metrics/index.js';
import { RpcTimeoutError } from '../../src/index.js';

function read(registry: MetricsRegistry): (name: string, labels?: Record<string, string>) => MetricFamily['series'][number] | undefined {
  const families = registry.snapshot().families;
  return (name, labels = {}) =>
    families.find((f) => f.name === name)?.series.find((s) => Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
const valueOf = (s: unknown): unknown => (s as { value?: unknown } | undefined)?.value;

test('call hooks: durations by method and outcome; calls in flight read from the watched endpoints', (t) => {
  const registry = new MetricsRegistry();
  const rpc = createRpcMetrics(registry);
  rpc.watch({ inFlight: () => 2, handling: () => 1, backlog: () => 0, mailboxes: () => [] });
  rpc.watch({ inFlight: () => 3, handling: () => 0, backlog: () => 0, mailboxes: () => [] });
  rpc.callSettled('greet', 'client', 'ok', 0.0003);
  rpc.callSettled('greet', 'client', 'RPC_TIMEOUT', 1.5);
  rpc.callSettled('log', 'server', 'something else', 0.01);
  const get = read(registry);
  t.is(valueOf(get('rpc_client_active_calls')), 5);
  t.is(valueOf(get('rpc_server_active_calls')), 1);
  t.like(get('rpc_client_duration_seconds', { method: 'greet', outcome: 'ok' }), { count: 1, sum: 0.0003 });
  t.like(get('rpc_client_duration_seconds', { method: 'greet', outcome: 'RPC_TIMEOUT' }), { count: 1, sum: 1.5 });
  // An outcome that is not an error code cannot grow the label set.
  t.like(get('rpc_server_duration_seconds', { method: 'log', outcome: 'error' }), { count: 1 });
});

test('refusals by code, late replies, protocol errors and peer exits are counted', (t) => {
  const registry = new MetricsRegistry();
  const rpc = createRpcMetrics(registry);
  rpc.callRefused('client', 'RPC_BUSY');
  rpc.callRefused('client', 'RPC_BUSY');
  rpc.callRefused('server', 'RPC_UNKNOWN_METHOD');
  rpc.callRefused('client', 'made up');
  rpc.lateReply();
  rpc.protocolError();
  rpc.peerExited();
  rpc.peerExited();
  const get = read(registry);
  t.is(valueOf(get('rpc_client_refused_total', { reason: 'RPC_BUSY' })), 2);
  t.is(valueOf(get('rpc_client_refused_total', { reason: 'error' })), 1);
  t.is(valueOf(get('rpc_server_refused_total', { reason: 'RPC_UNKNOWN_METHOD' })), 1);
  t.is(valueOf(get('rpc_client_late_replies_total')), 1);
  t.is(valueOf(get('rpc_protocol_errors_total')), 1);
  t.is(valueOf(get('rpc_peer_exits_total')), 2);
});

test('watched endpoints add up their backlog and mailbox queues until unwatched', (t) => {
  const registry = new MetricsRegistry();
  const rpc = createRpcMetrics(registry);
  const stopA = rpc.watch({ inFlight: () => 0, handling: () => 0, backlog: () => 3, mailboxes: () => [['shared', 2]] });
  rpc.watch({ inFlight: () => 0, handling: () => 0, backlog: () => 1, mailboxes: () => [['shared', 1], ['render', 5]] });
  let get = read(registry);
  t.is(valueOf(get('rpc_transport_backlog_frames')), 4);
  t.is(valueOf(get('rpc_server_mailbox_queue_length', { mailbox: 'shared' })), 3);
  t.is(valueOf(get('rpc_server_mailbox_queue_length', { mailbox: 'render' })), 5);
  stopA();
  get = read(registry);
  t.is(valueOf(get('rpc_transport_backlog_frames')), 1);
  t.is(valueOf(get('rpc_server_mailbox_queue_length', { mailbox: 'shared' })), 1);
});

test('outcomeOf gives the error code of a library error and "error" for anything else', (t) => {
  t.is(outcomeOf(new RpcTimeoutError('x', 5)), 'RPC_TIMEOUT');
  t.is(outcomeOf(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'error');
  t.is(outcomeOf('a string'), 'error');
  t.is(outcomeOf(undefined), 'error');
});

test('HTTP worker hooks: request durations by normalised method and status, active requests', (t) => {
  const registry = new MetricsRegistry();
  const http = createHttpWorkerMetrics(registry);
  t.is(valueOf(read(registry)('http_server_active_requests')), 0);
  let active = 2;
  http.watch({ activeRequests: () => active });
  t.is(valueOf(read(registry)('http_server_active_requests')), 2);
  http.requestFinished('GET', 200, 0.02);
  http.requestFinished('get-or-anything-a-client-invents', 999, 0.5);
  active = 0;
  const get = read(registry);
  t.is(valueOf(get('http_server_active_requests')), 0);
  t.like(get('http_server_request_duration_seconds', { http_request_method: 'GET', http_response_status_code: '200' }), { count: 1, sum: 0.02 });
  t.like(get('http_server_request_duration_seconds', { http_request_method: '_OTHER', http_response_status_code: '_OTHER' }), { count: 1 });
});

test("HTTP primary hooks: workers by state and the balancer's load read from the view; restarts, reloads, drains", (t) => {
  const registry = new MetricsRegistry();
  const http = createHttpPrimaryMetrics(registry);
  t.is(valueOf(read(registry)('http_cluster_workers', { state: 'ready' })), 0);
  t.is(valueOf(read(registry)('http_cluster_worker_restarts_total', { reason: 'signal' })), 0);
  http.watch({
    workers: () => [
      { slot: 0, state: 'ready', load: 4 },
      { slot: 1, state: 'draining', load: 9 },
      { slot: 2, state: 'ready', load: 0 },
      { slot: 3, state: 'gone' },
    ],
    connections: () => ({ handedOver: 17, dropped: 2 }),
  });
  http.workerRestarted('heartbeat_timeout');
  http.workerRestarted('not a reason' as never);
  http.reloadFinished('ok', 3);
  http.reloadFinished('failed', 1);
  http.workerDrained(0.5, 0, false);
  http.workerDrained(10, 3, true);
  const get = read(registry);
  t.deepEqual(['starting', 'ready', 'draining'].map((state) => valueOf(get('http_cluster_workers', { state }))), [0, 2, 1]);
  t.is(valueOf(get('http_cluster_worker_load', { worker: '0' })), 4);
  t.is(get('http_cluster_worker_load', { worker: '1' }), undefined);
  t.is(valueOf(get('http_cluster_connections_handed_over_total')), 17);
  t.is(valueOf(get('http_cluster_connections_dropped_total')), 2);
  t.is(valueOf(get('http_cluster_worker_restarts_total', { reason: 'heartbeat_timeout' })), 1);
  t.is(valueOf(get('http_cluster_worker_restarts_total', { reason: 'exit' })), 1);
  t.is(valueOf(get('http_cluster_reloads_total', { outcome: 'failed' })), 1);
  t.like(get('http_cluster_reload_duration_seconds'), { count: 2, sum: 4 });
  t.like(get('http_cluster_drain_duration_seconds'), { count: 2 });
  t.is(valueOf(get('http_cluster_drain_forced_connections_total')), 3);
  t.is(valueOf(get('http_cluster_drain_kills_total')), 1);
});

test('process metrics report CPU time, memory and event-loop delay of this process', (t) => {
  const registry = new MetricsRegistry();
  const stop = registerProcessMetrics(registry);
  t.teardown(stop);
  const get = read(registry);
  t.true((valueOf(get('process_cpu_time_seconds_total', { cpu_mode: 'user' })) as number) > 0);
  t.true((valueOf(get('process_memory_usage_bytes')) as number) > 1_000_000);
  t.true((valueOf(get('v8js_memory_heap_used_bytes')) as number) > 0);
  for (const q of ['p50', 'p99', 'max']) t.true((valueOf(get(`nodejs_eventloop_delay_${q}_seconds`)) as number) >= 0);
});
