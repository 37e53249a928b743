// A real Prometheus checks what the primary would serve: `promtool check metrics` (from Debian's
// prometheus package; .ci/run installs it) must accept a full cluster scrape, lint included.
import test from 'ava';
import client from 'prom-client';
import {
  combineSnapshots,
  createClusterCollector,
  createHttpPrimaryMetrics,
  createHttpWorkerMetrics,
  createRpcMetrics,
  MetricsRegistry,
  promClientSnapshot,
  registerProcessMetrics,
  type MetricsSnapshot,
} from '../../src/metrics/index.js';
import { promtool } from '../fixtures/promtool.js';


/** A worker's snapshot as the HTTP cluster would send it: RPC, HTTP, process and prom-client metrics. */
async function workerSnapshot(t: { teardown(fn: () => void): void }, requests: number): Promise<MetricsSnapshot> {
  const registry = new MetricsRegistry();
  const rpc = createRpcMetrics(registry);
  const http = createHttpWorkerMetrics(registry);
  t.teardown(registerProcessMetrics(registry));
  rpc.watch({ inFlight: () => 3, handling: () => 1, backlog: () => 2, mailboxes: () => [['shared', 1], ['slowJob', 4]] });
  http.watch({ activeRequests: () => 2 });
  rpc.callSettled('log', 'client', 'ok', 0.0004);
  rpc.callSettled('stats', 'server', 'RPC_TIMEOUT', 2.5);
  rpc.callRefused('client', 'RPC_BUSY');
  rpc.lateReply();
  for (let i = 0; i < requests; i++) {
    http.requestFinished(i % 2 === 0 ? 'GET' : 'BREW', i % 3 === 0 ? 500 : 200, 0.003 * i);
  }
  const prom = new client.Registry();
  new client.Counter({ name: 'app_orders_total', help: 'Orders taken.', labelNames: ['shop'], registers: [prom] }).inc({ shop: 'north "quoted"\nline' }, 3);
  new client.Histogram({ name: 'app_render_seconds', help: 'Render time.', buckets: [0.01, 0.1], registers: [prom] }).observe(0.05);
  new client.Summary({ name: 'app_payload_bytes', help: 'Payload sizes.', percentiles: [0.5, 0.9], registers: [prom] }).observe(300);
  // Not collectDefaultMetrics: three of prom-client's own gauges end in _total, which promtool's
  // lint refuses (metrics-prom-client.test.ts checks the adapter against them).
  const merged = combineSnapshots(registry.snapshot(), await promClientSnapshot(prom));
  return JSON.parse(JSON.stringify(merged)) as MetricsSnapshot;
}

test('promtool check metrics accepts a full cluster scrape: primary, workers, prom-client, a dead and a slow worker', async (t) => {
  const primary = new MetricsRegistry();
  const rpc = createRpcMetrics(primary);
  rpc.callSettled('greet', 'client', 'RPC_REMOTE', 0.01);
  rpc.peerExited();
  const http = createHttpPrimaryMetrics(primary);
  http.watch({
    workers: () => [
      { slot: 0, state: 'ready', load: 3 },
      { slot: 1, state: 'ready', load: 0 },
      { slot: 2, state: 'starting' },
    ],
    connections: () => ({ handedOver: 120, dropped: 1 }),
  });
  http.workerRestarted('signal');
  http.reloadFinished('ok', 1.2);
  http.workerDrained(0.4, 2, false);
  t.teardown(registerProcessMetrics(primary));
  const snapshots = [await workerSnapshot(t, 10), await workerSnapshot(t, 3)];
  const collector = createClusterCollector<number>({
    workers: () => [0, 1, 2, 3].map((slot) => ({ worker: String(slot), target: slot })),
    ask: (slot) => (slot < 2 ? Promise.resolve(snapshots[slot]) : slot === 2 ? Promise.reject(Object.assign(new Error('gone'), { code: 'RPC_PEER_EXITED' })) : new Promise(() => {})),
    primary: [() => primary.snapshot()],
    timeout: 200,
  });
  const text = await collector.exposition();
  t.regex(text, /^cluster_worker_up\{worker="3"\} 0$/m);
  t.regex(text, /^app_orders_total\{shop="north \\"quoted\\"\\nline",worker="1"\} 3$/m);
  t.regex(text, /^http_server_request_duration_seconds_bucket\{http_request_method="_OTHER",http_response_status_code="200",worker="0",le="\+Inf"\} \d+$/m);
  const { code, output } = await promtool(text);
  t.is(output.trim(), '', output);
  t.is(code, 0);
});

test('promtool rejects broken exposition, so the check above can fail', async (t) => {
  const { code } = await promtool('# TYPE x counter\nx{a="1" 1\n');
  t.not(code, 0);
});
