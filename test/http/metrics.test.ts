// The HTTP cluster's metrics over real forked workers: the primary's /metrics answers within its
// deadline when one worker is SIGKILLed and another SIGSTOPped, shows both as down and the others'
// series, a replacement's counters start again in its slot's series, promtool accepts what is
// served, reloads and drains are counted, and the server closes with the cluster.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { get, pidOf, startCluster, tryConnect, withTimeout, type Cluster } from './helpers.js';
import { promtool } from '../fixtures/promtool.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/http-metrics-server.ts', import.meta.url));
const SCRAPE_TIMEOUT = 500;

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text into samples (enough for what the library writes). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the series with exactly these labels, or undefined when there is none. */
function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels);
  const found = samples.find((s) => s.name === name && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v));
  return found?.value;
}

const requests = (slot: number, status = '200'): Record<string, string> => ({ http_request_method: 'GET', http_response_status_code: status, worker: String(slot) });

/** GET /metrics on the primary's metrics port, timed, bounded. */
function scrape(port: number): Promise<{ text: string; ms: number; type: string }> {
  const started = performance.now();
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve({ text, ms: performance.now() - started, type: String(res.headers['content-type']) }) : reject(new Error(`status ${res.statusCode}: ${text}`))));
      });
      req.once('error', reject);
      req.end();
    }),
    15_000,
    'a scrape',
  );
}


interface Up {
  readonly port: number;
  readonly metricsPort: number;
  readonly workers: { pid: number; slot: number }[];
}

async function listening(c: Cluster): Promise<Up> {
  return (await c.listening()) as unknown as Up;
}

/** Sends a command to the fixture's primary; resolves with its reply's value. */
async function command<T>(c: Cluster, cmd: string): Promise<T> {
  return c.command<T>(cmd, {}, 20_000);
}

test('a scrape answers in time with a killed and a stopped worker down, and a replacement counts again in its slot', async (t) => {
  // A long heartbeat timeout keeps the stopped worker in place, and a slow restart keeps the
  // killed one's slot empty while the scrape runs.
  const c = await startCluster(t, { WORKERS: '3', HEARTBEAT_TIMEOUT: '120000', RESTART_DELAY: '4000', SCRAPE_TIMEOUT: String(SCRAPE_TIMEOUT) }, FIXTURE);
  const up = await listening(c);
  t.true(up.metricsPort > 0 && up.metricsPort !== up.port);
  const slotOf = new Map(up.workers.map((w) => [w.pid, w.slot]));
  const answered = [0, 0, 0];
  for (let i = 0; i < 12; i++) answered[slotOf.get(await pidOf(up.port))!]!++;
  t.is((await get(up.port, '/fail')).status, 500);

  const healthy = await scrape(up.metricsPort);
  t.regex(healthy.type, /^text\/plain; version=0\.0\.4/);
  const before = parse(healthy.text);
  for (const slot of [0, 1, 2]) {
    t.is(value(before, 'cluster_worker_up', { worker: String(slot) }), 1);
    t.is(value(before, 'http_server_request_duration_seconds_count', requests(slot)), answered[slot]! > 0 ? answered[slot] : undefined);
    t.is(value(before, 'http_server_active_requests', { worker: String(slot) }), 0);
    t.true(value(before, 'process_cpu_time_seconds_total', { cpu_mode: 'user', worker: String(slot) })! > 0);
    t.true(value(before, 'process_memory_usage_bytes', { worker: String(slot) })! > 0);
    t.not(value(before, 'nodejs_eventloop_delay_p99_seconds', { worker: String(slot) }), undefined);
    t.not(value(before, 'http_cluster_worker_load', { worker: String(slot) }), undefined);
  }
  t.is(before.filter((s) => s.name === 'http_server_request_duration_seconds_count' && s.labels['http_response_status_code'] === '500').length, 1);
  t.is(value(before, 'http_cluster_workers', { state: 'ready' }), 3);
  t.is(value(before, 'http_cluster_connections_handed_over_total'), 13);
  t.true(value(before, 'process_cpu_time_seconds_total', { cpu_mode: 'user' })! > 0, 'the primary reports its own process figures');
  const healthyCheck = await promtool(healthy.text);
  t.is(healthyCheck.output.trim(), '', healthyCheck.output);
  t.is(healthyCheck.code, 0);

  const killed = up.workers.find((w) => w.slot === 1)!.pid;
  const stopped = up.workers.find((w) => w.slot === 2)!.pid;
  t.true(answered[1]! > 0, 'the worker about to be killed has counted requests');
  t.teardown(() => {
    try {
      process.kill(stopped, 'SIGCONT');
    } catch {
      // gone already
    }
  });
  process.kill(stopped, 'SIGSTOP');
  process.kill(killed, 'SIGKILL');
  await c.line('workerExited', 15_000, (l) => l.worker.pid === killed);

  const degraded = await scrape(up.metricsPort);
  t.true(degraded.ms < SCRAPE_TIMEOUT + 2_500, `the scrape took ${Math.round(degraded.ms)} ms`);
  const during = parse(degraded.text);
  t.is(value(during, 'cluster_worker_up', { worker: '0' }), 1);
  t.is(value(during, 'cluster_worker_up', { worker: '1' }), 0);
  t.is(value(during, 'cluster_worker_up', { worker: '2' }), 0);
  t.is(value(during, 'http_server_request_duration_seconds_count', requests(0)), answered[0]);
  t.true(value(during, 'process_cpu_time_seconds_total', { cpu_mode: 'user', worker: '0' })! > 0);
  t.false(during.some((s) => s.labels['worker'] !== undefined && s.labels['worker'] !== '0' && s.name !== 'cluster_worker_up' && s.name !== 'http_cluster_worker_load'), 'no series of the killed or the stopped worker');
  t.is(value(during, 'cluster_scrape_errors_total', { reason: 'exited' }), 1);
  t.is(value(during, 'cluster_scrape_errors_total', { reason: 'timeout' }), 1);
  t.is(value(during, 'http_cluster_workers', { state: 'ready' }), 2);
  // The RPC layer reports too: the first scrape's 'metrics' calls, served by worker 0 and made by
  // the primary's hub (unlabelled: one figure for all its workers' handles).
  t.true((value(during, 'rpc_server_duration_seconds_count', { method: 'metrics', outcome: 'ok', worker: '0' }) ?? 0) >= 1, 'worker 0 counted the metrics call it served');
  t.true((value(during, 'rpc_client_duration_seconds_count', { method: 'metrics', outcome: 'ok' }) ?? 0) >= 3, 'the primary counted its metrics calls');
  const degradedCheck = await promtool(degraded.text);
  t.is(degradedCheck.output.trim(), '', degradedCheck.output);
  t.is(degradedCheck.code, 0);

  // The replacement fills slot 1; the stopped worker's reports went stale, so it gets no connection.
  const ready = await c.line('workerReady', 30_000, (l) => l.worker.slot === 1 && l.worker.pid !== killed);
  let again = 0;
  for (let i = 0; i < 40 && again < 3; i++) if ((await pidOf(up.port)) === ready.worker.pid) again++;
  t.is(again, 3);
  const after = parse((await scrape(up.metricsPort)).text);
  t.is(value(after, 'cluster_worker_up', { worker: '1' }), 1);
  t.is(value(after, 'cluster_worker_up', { worker: '2' }), 0);
  t.is(value(after, 'http_server_request_duration_seconds_count', requests(1)), 3, 'the replacement counts from zero in the same series');
  t.is(value(after, 'http_cluster_worker_restarts_total', { reason: 'signal' }), 1);
  t.is(value(after, 'http_cluster_worker_restarts_total', { reason: 'exit' }), 0);
  t.is(value(after, 'cluster_scrape_errors_total', { reason: 'timeout' }), 2);
});

test("a reload and its drains are counted, prom-client's metrics join each process's, app.metrics() returns the text, and the server closes with the cluster", async (t) => {
  const c = await startCluster(t, { WORKERS: '2', PROM_CLIENT: '1' }, FIXTURE);
  const up = await listening(c);
  for (let i = 0; i < 4; i++) await pidOf(up.port);
  await command(c, 'reload');
  const slotOf = new Map((await command<{ pid: number; slot: number }[]>(c, 'workers')).map((w) => [w.pid, w.slot]));
  const answered = [0, 0];
  for (let i = 0; i < 4; i++) answered[slotOf.get(await pidOf(up.port))!]!++;
  const text = await command<string>(c, 'metrics');
  const samples = parse(text);
  t.is(value(samples, 'http_cluster_reloads_total', { outcome: 'ok' }), 1);
  t.is(value(samples, 'http_cluster_reloads_total', { outcome: 'failed' }), 0);
  t.is(value(samples, 'http_cluster_reload_duration_seconds_count'), 1);
  t.true(value(samples, 'http_cluster_reload_duration_seconds_sum')! > 0);
  t.is(value(samples, 'http_cluster_drain_duration_seconds_count'), 2);
  t.is(value(samples, 'http_cluster_drain_kills_total'), 0);
  t.is(value(samples, 'http_cluster_drain_forced_connections_total'), 0);
  t.is(value(samples, 'http_cluster_worker_restarts_total', { reason: 'exit' }), 0, 'planned exits are no restarts');
  for (const slot of ['0', '1']) {
    t.is(value(samples, 'cluster_worker_up', { worker: slot }), 1);
    // The new workers count from zero: the old ones' requests are not carried over.
    const n = answered[Number(slot)]!;
    t.is(value(samples, 'http_server_request_duration_seconds_count', requests(Number(slot))), n > 0 ? n : undefined);
    t.is(value(samples, 'fixture_requests_total', { worker: slot }), n, "prom-client's counter, under the worker's slot");
  }
  t.is(value(samples, 'fixture_primary_info'), 1, "the primary's prom-client metrics, with no worker label");
  const checked = await promtool(text);
  t.is(checked.output.trim(), '', checked.output);
  t.is(checked.code, 0);
  const served = parse((await scrape(up.metricsPort)).text);
  t.is(value(served, 'http_cluster_drain_duration_seconds_count'), 2);

  c.child.stdin!.write(`${JSON.stringify({ seq: 1_000, cmd: 'close' })}\n`);
  t.deepEqual(await c.waitExit(20_000), { code: 0, signal: null }, c.stderr);
  t.is(await tryConnect(up.metricsPort), 'ECONNREFUSED');
});

test('without the metrics option app.metrics() rejects and says how to turn them on', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', METRICS: 'off' }, FIXTURE);
  const up = await listening(c);
  t.is((up as { metricsPort?: number }).metricsPort, undefined);
  const error = await t.throwsAsync(command(c, 'metrics'));
  t.regex(error!.message, /metrics are off; pass runHttpCluster\(\{ metrics: \{\} \}\)/);
});

test('a metrics port in use fails the start with a message naming it, before any worker is forked', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => void blocker.close());
  const port = (blocker.address() as AddressInfo).port;
  const c = await startCluster(t, { WORKERS: '1', METRICS_PORT: String(port) }, FIXTURE);
  const exit = await c.waitExit(20_000);
  t.not(exit.code, 0);
  t.regex(c.stderr, new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  t.is(c.workerPids.size, 0);
});
