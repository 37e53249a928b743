// The primary's merge: worker series under their slot, nothing summed, clashes dropped and counted.
import test from 'ava';
import { mergeSnapshots, MetricsRegistry, renderExposition, type MetricFamily, type MetricsSnapshot } from '../../src/metrics/index.js';

function workerSnapshot(handled: number): MetricsSnapshot {
  const r = new MetricsRegistry();
  r.counter({ name: 'handled_total', help: 'Handled.', labelNames: ['route'] }).inc({ route: '/' }, handled);
  return r.snapshot();
}

const byName = (families: readonly MetricFamily[], name: string): MetricFamily | undefined => families.find((f) => f.name === name);

test('each worker series gets its slot as the worker label; nothing is summed across workers', (t) => {
  const { families, conflicts } = mergeSnapshots({ families: [] }, [
    { worker: '0', snapshot: workerSnapshot(5) },
    { worker: '1', snapshot: workerSnapshot(7) },
  ]);
  t.is(conflicts, 0);
  const handled = byName(families, 'handled_total')!;
  t.deepEqual(
    handled.series.map((s) => ({ ...s.labels, value: (s as { value: number }).value })),
    [
      { route: '/', worker: '0', value: 5 },
      { route: '/', worker: '1', value: 7 },
    ],
  );
});

test("the primary's own series keep their labels and come first", (t) => {
  const primary = new MetricsRegistry();
  primary.counter({ name: 'handled_total', help: 'Handled.', labelNames: ['route'] }).inc({ route: '/' }, 1);
  const { families } = mergeSnapshots(primary.snapshot(), [{ worker: '3', snapshot: workerSnapshot(2) }]);
  t.deepEqual(
    byName(families, 'handled_total')!.series.map((s) => ({ ...s.labels })),
    [{ route: '/' }, { route: '/', worker: '3' }],
  );
});

test("a worker's own worker label becomes exported_worker", (t) => {
  const r = new MetricsRegistry();
  r.gauge({ name: 'g', help: 'G.', labelNames: ['worker'] }).set({ worker: 'mine' }, 1);
  const { families } = mergeSnapshots({ families: [] }, [{ worker: '2', snapshot: r.snapshot() }]);
  t.deepEqual({ ...byName(families, 'g')!.series[0]!.labels }, { exported_worker: 'mine', worker: '2' });
});

test('a family with another type or other buckets under a taken name is dropped and counted as a conflict', (t) => {
  const a = new MetricsRegistry();
  a.histogram({ name: 'lat_seconds', help: 'L.', buckets: [1, 2] }).observe(undefined, 1);
  a.gauge({ name: 'thing', help: 'T.' }).set(undefined, 1);
  const b = new MetricsRegistry();
  b.histogram({ name: 'lat_seconds', help: 'L.', buckets: [1, 3] }).observe(undefined, 1);
  b.counter({ name: 'thing', help: 'T.' }).inc();
  const { families, conflicts } = mergeSnapshots({ families: [] }, [
    { worker: '0', snapshot: a.snapshot() },
    { worker: '1', snapshot: b.snapshot() },
  ]);
  t.is(conflicts, 2);
  t.deepEqual(byName(families, 'lat_seconds')!.series.map((s) => s.labels['worker']), ['0']);
  t.is(byName(families, 'thing')!.type, 'gauge');
});

test('a repeated series or a second snapshot for the same slot is dropped, so nothing is counted twice', (t) => {
  const twice: MetricsSnapshot = { families: [...workerSnapshot(1).families, ...workerSnapshot(4).families.filter((f) => f.name === 'handled_total')] };
  const { families, conflicts } = mergeSnapshots({ families: [] }, [
    { worker: '0', snapshot: twice },
    { worker: '0', snapshot: workerSnapshot(100) },
  ]);
  t.is(conflicts, 2);
  t.deepEqual(
    byName(families, 'handled_total')!.series.map((s) => (s as { value: number }).value),
    [1],
  );
});

test('the merged families render as valid, duplicate-free exposition', (t) => {
  const { families } = mergeSnapshots(workerSnapshot(1), [
    { worker: '0', snapshot: workerSnapshot(2) },
    { worker: '1', snapshot: workerSnapshot(3) },
  ]);
  const lines = renderExposition(families).split('\n').filter((l) => l.startsWith('handled_total'));
  t.deepEqual(lines, ['handled_total{route="/"} 1', 'handled_total{route="/",worker="0"} 2', 'handled_total{route="/",worker="1"} 3']);
});
