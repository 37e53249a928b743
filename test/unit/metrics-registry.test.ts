// The registry: declarations checked, label sets validated and bounded, values read out as data.
import test from 'ava';
import { MetricsRegistry, readSnapshot, type MetricFamily } from '../../src/metrics/index.js';

function family(registry: MetricsRegistry, name: string): MetricFamily {
  const found = registry.snapshot().families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}

test('a counter adds up per label set and refuses to go down', (t) => {
  const r = new MetricsRegistry();
  const c = r.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['kind'] });
  c.inc({ kind: 'a' });
  c.inc({ kind: 'a' }, 2);
  c.inc({ kind: 'b' }, 0.5);
  t.throws(() => c.inc({ kind: 'a' }, -1), { instanceOf: TypeError, message: /only goes up/ });
  t.throws(() => c.inc({ kind: 'a' }, Infinity), { instanceOf: TypeError });
  const f = family(r, 'jobs_total');
  t.is(f.type, 'counter');
  t.deepEqual(
    f.series.map((s) => [s.labels['kind'], 'value' in s ? s.value : undefined]),
    [
      ['a', 3],
      ['b', 0.5],
    ],
  );
});

test('labels must be exactly the declared names, with string values', (t) => {
  const r = new MetricsRegistry();
  const c = r.counter({ name: 'x_total', help: 'X.', labelNames: ['method'] });
  t.throws(() => c.inc(), { message: /expected the labels \[method\], got none/ });
  t.throws(() => c.inc({ other: 'a' }), { message: /label "method" must be a string/ });
  t.throws(() => c.inc({ method: 'a', extra: 'b' }), { message: /expected the labels/ });
  t.throws(() => c.inc({ method: 1 as unknown as string }), { message: /must be a string, got number/ });
  t.throws(() => c.inc({ method: 'x'.repeat(2_000) }), { message: /longer than 1024/ });
});

test('declarations with bad names, labels, buckets or a taken name are refused, naming the problem', (t) => {
  const r = new MetricsRegistry();
  t.throws(() => r.counter({ name: '1bad', help: 'h' }), { message: /"1bad" is not a valid metric name/ });
  t.throws(() => r.counter({ name: 'ok_total', help: '' }), { message: /needs a help text/ });
  t.throws(() => r.gauge({ name: 'g', help: 'h', labelNames: ['__reserved'] }), { message: /not a usable label name/ });
  t.throws(() => r.gauge({ name: 'g', help: 'h', labelNames: ['le'] }), { message: /not a usable label name/ });
  t.throws(() => r.gauge({ name: 'g', help: 'h', labelNames: ['a', 'a'] }), { message: /repeated/ });
  t.throws(() => r.histogram({ name: 'h', help: 'h', buckets: [1, 1] }), { message: /strictly ascending/ });
  t.throws(() => r.histogram({ name: 'h', help: 'h', buckets: [1, Infinity] }), { message: /finite/ });
  t.throws(() => r.histogram({ name: 'h', help: 'h', buckets: [] }), { message: /buckets must be/ });
  r.gauge({ name: 'taken', help: 'h' });
  t.throws(() => r.counter({ name: 'taken', help: 'h' }), { message: /already taken/ });
  t.throws(() => r.counter({ name: 'cluster_metrics_series_dropped_total', help: 'h' }), { message: /already taken/ });
});

test('past maxSeries a new label set is not recorded and is counted as dropped', (t) => {
  const r = new MetricsRegistry();
  const c = r.counter({ name: 'calls_total', help: 'Calls.', labelNames: ['method'], maxSeries: 2 });
  for (const method of ['a', 'b', 'c', 'd', 'a']) c.inc({ method });
  t.deepEqual(
    family(r, 'calls_total').series.map((s) => s.labels['method']),
    ['a', 'b'],
  );
  const dropped = family(r, 'cluster_metrics_series_dropped_total');
  t.deepEqual(dropped.series, [{ labels: Object.assign(Object.create(null), { metric: 'calls_total' }), value: 2 }]);
});

test('a histogram counts values into cumulative buckets, with sum and count; NaN is ignored', (t) => {
  const r = new MetricsRegistry();
  const h = r.histogram({ name: 'latency_seconds', help: 'L.', buckets: [0.1, 1] });
  for (const v of [0.05, 0.1, 0.5, 3, NaN]) h.observe(undefined, v);
  const child = h.child();
  child.observe(0.2);
  const f = family(r, 'latency_seconds');
  t.is(f.type, 'histogram');
  if (f.type !== 'histogram') return;
  t.deepEqual(f.bounds, [0.1, 1]);
  t.deepEqual(f.series[0]!.buckets, [2, 4]);
  t.is(f.series[0]!.count, 5);
  t.is(f.series[0]!.sum, 0.05 + 0.1 + 0.5 + 3 + 0.2);
});

test('observed metrics are read at each snapshot; a source that throws shows no series', (t) => {
  const r = new MetricsRegistry();
  let n = 1;
  let broken = false;
  r.observedGauge({ name: 'queue', help: 'Q.', labelNames: ['box'], read: () => {
    if (broken) throw new Error('gone');
    return [[{ box: 'a' }, n]];
  } });
  r.observedCounter({ name: 'seen_total', help: 'S.', read: () => n * 10 });
  t.deepEqual((family(r, 'queue').series[0] as { value: number }).value, 1);
  n = 5;
  t.deepEqual((family(r, 'queue').series[0] as { value: number }).value, 5);
  t.is(family(r, 'seen_total').type, 'counter');
  broken = true;
  t.deepEqual(family(r, 'queue').series, []);
});

test('a snapshot is plain data: it survives JSON, non-finite values included, and reads back the same', (t) => {
  const r = new MetricsRegistry();
  r.gauge({ name: 'g', help: 'G.' }).set(undefined, NaN);
  r.gauge({ name: 'big', help: 'B.' }).set(undefined, -Infinity);
  r.histogram({ name: 'h', help: 'H.', labelNames: ['m'], buckets: [1] }).observe({ m: 'x' }, 2);
  const snapshot = r.snapshot();
  const wire = JSON.parse(JSON.stringify(snapshot)) as unknown;
  const read = readSnapshot(wire);
  t.not(typeof read, 'string');
  t.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(snapshot)));
  t.is((snapshot.families.find((f) => f.name === 'g')!.series[0] as { value: unknown }).value, 'NaN');
  t.is((snapshot.families.find((f) => f.name === 'big')!.series[0] as { value: unknown }).value, '-Inf');
  t.deepEqual(
    snapshot.families.map((f) => f.name),
    [...snapshot.families.map((f) => f.name)].sort(),
  );
});
