// One collection under one deadline: slow, dead, broken and restarting workers cannot make a
// scrape fail, hang, or count anything twice.
import test from 'ava';
import { collectSnapshots, createClusterCollector, MetricsRegistry, type AskSnapshot, type MetricFamily, type MetricsSnapshot } from '../../src/metrics/index.js';
import { RpcNoWorkerError, RpcPeerExitedError } from '../../src/index.js';
import { withTimeout } from '../fixtures/process.js';

function snapshotOf(handled: number): MetricsSnapshot {
  const r = new MetricsRegistry();
  r.counter({ name: 'handled_total', help: 'Handled.' }).inc(undefined, handled);
  return JSON.parse(JSON.stringify(r.snapshot())) as MetricsSnapshot;
}

type Behaviour = { kind: 'ok'; handled: number } | { kind: 'hang' } | { kind: 'exited' } | { kind: 'junk' } | { kind: 'throw' };

/** An asker whose workers behave as told; records the signals it was given. */
function asker(): { ask: AskSnapshot<Behaviour>; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const ask: AskSnapshot<Behaviour> = (b, { signal }) => {
    signals.push(signal);
    switch (b.kind) {
      case 'ok':
        return Promise.resolve(snapshotOf(b.handled));
      case 'hang':
        return new Promise(() => {});
      case 'exited':
        return Promise.reject(new RpcPeerExitedError({ peer: 'worker 2', workerId: 2, exitCode: null, signal: 'SIGKILL' }, true));
      case 'junk':
        return Promise.resolve({ families: 'nope' });
      case 'throw':
        throw new Error('synchronous failure');
    }
  };
  return { ask, signals };
}

const value = (families: readonly MetricFamily[], name: string, labels: Record<string, string>): unknown =>
  (families.find((f) => f.name === name)?.series.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)) as { value?: unknown } | undefined)?.value;

test('a collection answers with what arrived by its deadline; a hanging worker is a timeout and its signal aborts', async (t) => {
  const { ask, signals } = asker();
  const started = performance.now();
  const results = await withTimeout(
    collectSnapshots(
      [
        { worker: '0', target: { kind: 'ok', handled: 3 } },
        { worker: '1', target: { kind: 'hang' } },
      ],
      ask,
      300,
    ),
    5_000,
    'the collection',
  );
  const elapsed = performance.now() - started;
  t.true(elapsed >= 290, `${elapsed} ms`);
  t.is(results[0]!.status, 'ok');
  t.like(results[1], { worker: '1', status: 'failed', reason: 'timeout' });
  t.true(signals[1]!.aborted);
});

test('when every worker answers, the collection does not wait for its deadline', async (t) => {
  const { ask, signals } = asker();
  const started = performance.now();
  const results = await collectSnapshots([{ worker: '0', target: { kind: 'ok', handled: 1 } }], ask, 60_000);
  t.true(performance.now() - started < 5_000);
  t.is(results[0]!.status, 'ok');
  t.false(signals[0]!.aborted);
});

test('exited, invalid, throwing and absent workers each get their reason; no result is missing', async (t) => {
  const { ask } = asker();
  const results = await collectSnapshots(
    [
      { worker: '0', target: { kind: 'exited' } },
      { worker: '1', target: { kind: 'junk' } },
      { worker: '2', target: { kind: 'throw' } },
      { worker: '3', target: { kind: 'ok', handled: 1 }, alive: false },
    ],
    ask,
    5_000,
  );
  t.deepEqual(
    results.map((r) => (r.status === 'failed' ? r.reason : r.status)),
    ['exited', 'invalid', 'failed', 'exited'],
  );
  t.deepEqual(await collectSnapshots([], ask, 100), []);
});

test('a scrape with a dead and a stopped worker answers within its deadline with the others, worker_up 0 for both', async (t) => {
  const { ask } = asker();
  const targets = [
    { worker: '0', target: { kind: 'ok', handled: 5 } as Behaviour },
    { worker: '1', target: { kind: 'exited' } as Behaviour },
    { worker: '2', target: { kind: 'hang' } as Behaviour },
  ];
  const collector = createClusterCollector({ workers: () => targets, ask, timeout: 250 });
  const started = performance.now();
  const families = await withTimeout(collector.collect(), 5_000, 'the scrape');
  t.true(performance.now() - started < 5_000);
  t.is(value(families, 'handled_total', { worker: '0' }), 5);
  t.is(value(families, 'handled_total', { worker: '1' }), undefined);
  t.deepEqual(
    ['0', '1', '2'].map((w) => value(families, 'cluster_worker_up', { worker: w })),
    [1, 0, 0],
  );
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'exited' }), 1);
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'timeout' }), 1);
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'conflict' }), 0);
});

test('a replaced worker restarts its counters in the same series, and the errors counter only grows', async (t) => {
  const slot0: { current: Behaviour } = { current: { kind: 'ok', handled: 40 } };
  const { ask } = asker();
  const collector = createClusterCollector({ workers: () => [{ worker: '0', target: slot0.current }], ask, timeout: 1_000 });
  t.is(value(await collector.collect(), 'handled_total', { worker: '0' }), 40);
  slot0.current = { kind: 'exited' };
  const during = await collector.collect();
  t.is(value(during, 'handled_total', { worker: '0' }), undefined);
  t.is(value(during, 'cluster_worker_up', { worker: '0' }), 0);
  slot0.current = { kind: 'ok', handled: 2 };
  const after = await collector.collect();
  t.is(value(after, 'handled_total', { worker: '0' }), 2);
  t.is(value(after, 'cluster_worker_up', { worker: '0' }), 1);
  t.is(value(after, 'cluster_scrape_errors_total', { reason: 'exited' }), 1);
});

test('two workers claiming one slot: the first is asked, the second counts as a conflict', async (t) => {
  const { ask, signals } = asker();
  const collector = createClusterCollector({
    workers: () => [
      { worker: '0', target: { kind: 'ok', handled: 1 } as Behaviour },
      { worker: '0', target: { kind: 'ok', handled: 9 } as Behaviour },
    ],
    ask,
  });
  const families = await collector.collect();
  t.is(signals.length, 1);
  t.is(value(families, 'handled_total', { worker: '0' }), 1);
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'conflict' }), 1);
  t.is(families.find((f) => f.name === 'cluster_worker_up')!.series.length, 1);
});

test('concurrent scrapes share one collection; the primary sources join under the same deadline', async (t) => {
  const { ask, signals } = asker();
  const own = new MetricsRegistry();
  own.gauge({ name: 'primary_thing', help: 'P.' }).set(undefined, 7);
  const collector = createClusterCollector({
    workers: () => [{ worker: '0', target: { kind: 'ok', handled: 1 } as Behaviour }],
    ask,
    primary: [() => own.snapshot(), () => new Promise<MetricsSnapshot>(() => {})],
    timeout: 200,
  });
  const [a, b] = await Promise.all([collector.collect(), collector.collect()]);
  t.is(a, b);
  t.is(signals.length, 1);
  t.is(value(a, 'primary_thing', {}), 7);
  t.is(value(a, 'cluster_scrape_errors_total', { reason: 'timeout' }), 1);
  t.regex(await collector.exposition(), /^# HELP cluster_metrics_series_dropped_total/m);
});

test("a worker's family named like one of the collector's own is dropped and counted as a conflict", async (t) => {
  const fake: MetricsSnapshot = { families: [{ name: 'cluster_worker_up', help: 'Fake.', type: 'gauge', series: [{ labels: {}, value: 1 }] }] };
  const collector = createClusterCollector<number>({ workers: () => [{ worker: '0', target: 0 }], ask: () => fake });
  const families = await collector.collect();
  t.deepEqual(families.find((f) => f.name === 'cluster_worker_up')!.series.map((s) => ({ ...s.labels })), [{ worker: '0' }]);
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'conflict' }), 1);
});

test('a workers() that throws or an asker that refuses never fails the scrape', async (t) => {
  const collector = createClusterCollector<number>({
    workers: () => {
      throw new Error('broken list');
    },
    ask: () => Promise.reject(new RpcNoWorkerError('gone')),
  });
  const families = await collector.collect();
  t.is(value(families, 'cluster_scrape_errors_total', { reason: 'failed' }), 1);
  t.deepEqual(families.find((f) => f.name === 'cluster_worker_up')!.series, []);
});

test('bad collector options are refused at once, naming the option', (t) => {
  const ask = (): Promise<unknown> => Promise.resolve({ families: [] });
  t.throws(() => createClusterCollector({ workers: 1 as never, ask }), { message: /workers must be a function/ });
  t.throws(() => createClusterCollector({ workers: () => [], ask: null as never }), { message: /ask must be a function/ });
  t.throws(() => createClusterCollector({ workers: () => [], ask, timeout: 0 }), { message: /timeout must be/ });
  t.throws(() => createClusterCollector({ workers: () => [], ask, timeout: Infinity }), { message: /timeout must be/ });
});
