// The primary's scrape over real forked workers: SIGKILL one, SIGSTOP another, and the scrape
// still answers within its deadline with the others' series and worker_up 0 for both; the killed
// worker's replacement counts again from zero in the same series; promtool accepts what is served.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createPrimary, type WorkerHandle } from '../../src/index.js';
import { createClusterCollector, createRpcMetrics, MetricsRegistry, serveMetrics } from '../../src/metrics/index.js';
import { metricsContract } from '../fixtures/metrics-contract.js';
import { withTimeout } from '../fixtures/process.js';
import { killOnTeardown, useFixture, waitForExit } from './helpers.js';
import { promtool } from '../fixtures/promtool.js';

type Handle = WorkerHandle<typeof metricsContract>;
const SCRAPE_TIMEOUT = 500;

function scrape(address: AddressInfo): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: address.address, port: address.port, path: '/metrics', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve({ text, ms: performance.now() - started }) : reject(new Error(`status ${res.statusCode}: ${text}`))));
      });
      req.once('error', reject);
      req.end();
    }),
    15_000,
    'a scrape',
  );
}


const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('a scrape survives a killed and a stopped worker, and a replacement counts again in the same series', async (t) => {
  const registry = new MetricsRegistry();
  const hub = createPrimary(metricsContract, { handlers: {}, serialization: 'json', metrics: createRpcMetrics(registry) });
  hub.on('error', () => {});
  t.teardown(() => hub.close());
  const slots = new Map<number, Handle>();
  const fork = (slot: number): Handle => {
    useFixture('metrics-worker.ts');
    const handle = hub.fork({ METRICS_SLOT: String(slot) });
    killOnTeardown(t, handle.worker);
    slots.set(slot, handle);
    return handle;
  };
  for (const slot of [0, 1, 2]) fork(slot);
  await withTimeout(Promise.all([...slots.entries()].map(([slot, h]) => h.call('work', { times: 10 + slot }))), 20_000, 'the workers to do their work');

  const collector = createClusterCollector<Handle>({
    workers: () => [...slots].map(([slot, handle]) => ({ worker: String(slot), target: handle, alive: handle.isConnected })),
    ask: (handle, { signal, timeout }) => handle.call('metrics', undefined, { signal, timeout }),
    primary: [() => registry.snapshot()],
    timeout: SCRAPE_TIMEOUT,
  });
  const server = await serveMetrics({ exposition: () => collector.exposition(), port: 0 });
  t.teardown(() => server.close());

  const healthy = await scrape(server.address);
  for (const slot of [0, 1, 2]) {
    t.is(sample(healthy.text, `cluster_worker_up{worker="${slot}"}`), 1);
    t.is(sample(healthy.text, `work_done_total{worker="${slot}"}`), 10 + slot);
    t.is(sample(healthy.text, `app_jobs_total{worker="${slot}"}`), 10 + slot);
    // The endpoints' own instruments: the worker served one `work` call, under its slot.
    t.is(sample(healthy.text, `rpc_server_duration_seconds_count{method="work",outcome="ok",worker="${slot}"}`), 1);
  }
  // The primary's, without a worker label: one hub, one set of figures for its three links.
  t.is(sample(healthy.text, 'rpc_client_duration_seconds_count{method="work",outcome="ok"}'), 3);
  t.is(sample(healthy.text, 'rpc_peer_exits_total') ?? 0, 0);
  const checked = await promtool(healthy.text);
  t.is(checked.output.trim(), '', checked.output);
  t.is(checked.code, 0);

  const killed = slots.get(1)!;
  killed.worker.process.kill('SIGKILL');
  await waitForExit(killed.worker, 10_000);
  const stopped = slots.get(2)!;
  stopped.worker.process.kill('SIGSTOP');

  const degraded = await scrape(server.address);
  t.true(degraded.ms < SCRAPE_TIMEOUT + 2_000, `the scrape took ${degraded.ms} ms`);
  t.is(sample(degraded.text, 'cluster_worker_up{worker="0"}'), 1);
  t.is(sample(degraded.text, 'cluster_worker_up{worker="1"}'), 0);
  t.is(sample(degraded.text, 'cluster_worker_up{worker="2"}'), 0);
  t.is(sample(degraded.text, 'work_done_total{worker="0"}'), 10);
  t.is(sample(degraded.text, 'work_done_total{worker="1"}'), undefined);
  t.is(sample(degraded.text, 'work_done_total{worker="2"}'), undefined);
  t.is(sample(degraded.text, 'cluster_scrape_errors_total{reason="exited"}'), 1);
  t.is(sample(degraded.text, 'cluster_scrape_errors_total{reason="timeout"}'), 1);
  t.is(sample(degraded.text, 'rpc_peer_exits_total'), 1, 'the killed worker, not the stopped one');

  const replacement = fork(1);
  await withTimeout(replacement.call('work', { times: 2 }), 20_000, 'the replacement to work');
  const recovered = await scrape(server.address);
  t.is(sample(recovered.text, 'cluster_worker_up{worker="1"}'), 1);
  t.is(sample(recovered.text, 'work_done_total{worker="1"}'), 2);
  t.is(sample(recovered.text, 'rpc_server_duration_seconds_count{method="work",outcome="ok",worker="1"}'), 1, 'the replacement counts from zero');
  t.is(sample(recovered.text, 'rpc_client_duration_seconds_count{method="work",outcome="ok"}'), 4);
  t.is(sample(recovered.text, 'cluster_worker_up{worker="2"}'), 0);
  t.is(sample(recovered.text, 'cluster_scrape_errors_total{reason="timeout"}'), 2);
  stopped.worker.process.kill('SIGCONT');
});
