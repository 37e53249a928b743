// The HTTP cluster's metric hooks without processes: restart reasons, the balancer's load figure,
// reloads counted once, drains, and the connections a drain leaves unfinished.
import test from 'ava';
import { Member } from '../../src/http/primary/member.js';
import { loadScore, PrimaryMetrics, restartReason } from '../../src/http/primary/metrics.js';
import { LoadMeter } from '../../src/http/worker/load-meter.js';
import { loadWorkerMetrics, metricsAnswer, unfinishedConnections, withUnfinished } from '../../src/http/worker/metrics.js';
import type { MetricsSnapshot } from '../../src/metrics/index.js';

const OPTIONS = Object.freeze({ port: undefined, host: '127.0.0.1', path: '/metrics', timeout: 200, promClient: false });

/** A member as the metrics read it: slot, state, load, hand-offs, and a handle whose `metrics` answers `answer`. */
function member(slot: number, fields: Partial<Record<'state' | 'failure' | 'handedOver' | 'load', unknown>> = {}, answer?: () => Promise<unknown>): Member {
  return { slot, state: 'ready', handedOver: 0, load: undefined, failure: undefined, handle: { call: answer ?? (() => Promise.resolve({ families: [] })) }, ...fields } as unknown as Member;
}

function value(snapshot: MetricsSnapshot, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = snapshot.families.find((f) => f.name === name);
  const series = family?.series.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length);
  return series === undefined ? undefined : 'value' in series ? Number(series.value) : (series as { count: number }).count;
}

function primary(members: Member[] = [], connections = { handedOver: 0, dropped: 0 }): PrimaryMetrics {
  return new PrimaryMetrics(OPTIONS, { slots: 3, members: () => members, occupants: () => members, connections: () => connections });
}

test('a restart counts under the timeout the cluster killed the worker for, else a failed start, a signal or an exit', (t) => {
  t.is(restartReason({ killedOn: 'heartbeat_timeout', failure: undefined }, 'SIGKILL'), 'heartbeat_timeout');
  t.is(restartReason({ killedOn: 'ready_timeout', failure: undefined }, 'SIGKILL'), 'ready_timeout');
  t.is(restartReason({ killedOn: undefined, failure: 'Error: boom' }, null), 'start_failed');
  t.is(restartReason({ killedOn: undefined, failure: undefined }, 'SIGSEGV'), 'signal');
  t.is(restartReason({ killedOn: undefined, failure: undefined }, null), 'exit');

  // Member.kill keeps the first reason and its cause, as the real one does.
  const signals: string[] = [];
  const m = new Member({ id: 1, pid: 1, worker: { process: { kill: (signal: string) => signals.push(signal) } } } as never, 0, 0);
  m.kill('did not answer the heartbeat', 'heartbeat_timeout');
  m.kill('did not become ready', 'ready_timeout');
  t.is(m.killedFor, 'did not answer the heartbeat');
  t.is(m.killedOn, 'heartbeat_timeout');
  t.deepEqual(signals, ['SIGKILL', 'SIGKILL']);

  const metrics = primary();
  t.teardown(() => metrics.close());
  metrics.restarted(m, 'SIGKILL');
  metrics.restarted(member(1), null);
  const snap = metrics.registry.snapshot();
  t.is(value(snap, 'http_cluster_worker_restarts_total', { reason: 'heartbeat_timeout' }), 1);
  t.is(value(snap, 'http_cluster_worker_restarts_total', { reason: 'exit' }), 1);
  t.is(value(snap, 'http_cluster_worker_restarts_total', { reason: 'ready_timeout' }), 0);
});

test("the load gauge is the balancer's figure for ready workers: in flight plus hand-offs not yet acknowledged", (t) => {
  const busy = member(0, { handedOver: 5, load: { inFlight: 2, connections: 3 } });
  t.is(loadScore(busy), 4);
  const members = [busy, member(1, { state: 'starting' }), member(2, { state: 'draining', handedOver: 9 })];
  const metrics = primary(members, { handedOver: 14, dropped: 1 });
  t.teardown(() => metrics.close());
  const snap = metrics.registry.snapshot();
  t.is(value(snap, 'http_cluster_worker_load', { worker: '0' }), 4);
  t.is(value(snap, 'http_cluster_worker_load', { worker: '2' }), undefined);
  t.is(value(snap, 'http_cluster_workers', { state: 'ready' }), 1);
  t.is(value(snap, 'http_cluster_workers', { state: 'starting' }), 1);
  t.is(value(snap, 'http_cluster_workers', { state: 'draining' }), 1);
  t.is(value(snap, 'http_cluster_connections_handed_over_total'), 14);
  t.is(value(snap, 'http_cluster_connections_dropped_total'), 1);
});

test('a reload is counted once however many callers join it, by outcome, with its duration', async (t) => {
  const metrics = primary();
  t.teardown(() => metrics.close());
  const ok = Promise.resolve();
  metrics.reloading(ok, performance.now() - 1_500);
  metrics.reloading(ok, performance.now());
  const failed = Promise.reject(new Error('not ready'));
  failed.catch(() => {});
  metrics.reloading(failed, performance.now());
  await ok;
  await failed.catch(() => {});
  await new Promise((resolve) => setImmediate(resolve));
  const snap = metrics.registry.snapshot();
  t.is(value(snap, 'http_cluster_reloads_total', { outcome: 'ok' }), 1);
  t.is(value(snap, 'http_cluster_reloads_total', { outcome: 'failed' }), 1);
  t.is(value(snap, 'http_cluster_reload_duration_seconds'), 2);
});

test("a drain counts its duration, the worker's unfinished connections, and a kill", async (t) => {
  const metrics = primary();
  t.teardown(() => metrics.close());
  metrics.drained(performance.now() - 200, { closed: 2 }, false);
  metrics.drained(performance.now(), undefined, true); // killed: no answer came
  const snap = metrics.registry.snapshot();
  t.is(value(snap, 'http_cluster_drain_duration_seconds'), 2);
  t.is(value(snap, 'http_cluster_drain_forced_connections_total'), 2);
  t.is(value(snap, 'http_cluster_drain_kills_total'), 1);
});

test('the scrape asks every slot: an empty one and a dead one are down, a slow one times out', async (t) => {
  const slow = member(2, {}, () => new Promise(() => {}));
  const metrics = primary([member(0), slow]);
  t.teardown(() => metrics.close());
  const text = await metrics.exposition();
  t.regex(text, /^cluster_worker_up\{worker="0"\} 1$/m);
  t.regex(text, /^cluster_worker_up\{worker="1"\} 0$/m);
  t.regex(text, /^cluster_worker_up\{worker="2"\} 0$/m);
  t.regex(text, /^cluster_scrape_errors_total\{reason="exited"\} 1$/m);
  t.regex(text, /^cluster_scrape_errors_total\{reason="timeout"\} 1$/m);
});

test("a drain's unfinished connections: busy or still without a request; idle kept-alive ones are not", async (t) => {
  const meter = new LoadMeter<object>(() => 0);
  const idle = {};
  const busy = {};
  const fresh = {};
  for (const s of [idle, busy, fresh]) meter.opened(s);
  meter.requestFinished(meter.requestStarted(idle));
  meter.requestStarted(busy);
  t.is(unfinishedConnections(meter), 2);
  t.deepEqual(await withUnfinished(Promise.resolve({ drained: 1, remaining: 1 }), meter), { drained: 1, remaining: 1, closed: 2 });
});

test('a worker measures nothing without the option, and answers the metrics procedure with no family', async (t) => {
  const meter = new LoadMeter<object>(() => 0);
  t.is(await loadWorkerMetrics(undefined, meter), undefined);
  t.deepEqual(metricsAnswer(undefined), { families: [] });
  const metrics = (await loadWorkerMetrics(OPTIONS, meter))!;
  meter.requestStarted({});
  metrics.http.requestFinished('GET', 200, 0.01);
  const snap = metrics.snapshot() as MetricsSnapshot;
  t.is(value(snap, 'http_server_active_requests'), 1);
  t.is(value(snap, 'http_server_request_duration_seconds', { http_request_method: 'GET', http_response_status_code: '200' }), 1);
  t.true(value(snap, 'process_memory_usage_bytes')! > 0);
});
