// The prom-client adapter: a registry's JSON, converted and rendered by us, says exactly what
// prom-client's own text says; the default register is found through a dynamic import.
import test from 'ava';
import client from 'prom-client';
import { fromPromClientJson, mergeSnapshots, promClientSnapshot, readSnapshot, renderExposition, type MetricsSnapshot } from '../../src/metrics/index.js';

/** Sample lines in a canonical form: labels sorted, numbers parsed, comments dropped. */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
      if (m === null) throw new Error(`unparsable line: ${line}`);
      const labels = (m[3] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
      const value = m[4]!.toLowerCase() === 'nan' ? 'NaN' : String(Number(m[4]));
      // prom-client's default metrics move between two reads (values, and which handle types
      // exist): compare their names only.
      if (/^(process|nodejs)_/.test(m[1]!)) return m[1]!;
      return `${m[1]}{${[...labels].sort().join(',')}} ${value}`;
    })
    .filter((line, i, all) => all.indexOf(line) === i)
    .sort();
}

test('converted prom-client metrics render to the same samples as prom-client renders itself', async (t) => {
  const registry = new client.Registry();
  const c = new client.Counter({ name: 'orders_total', help: 'Orders.', labelNames: ['shop', 'n'], registers: [registry] });
  c.inc({ shop: 'a\\b "c"\nd', n: 1 }, 2);
  c.inc({ shop: 'x', n: 2 });
  new client.Gauge({ name: 'temp', help: 'Temp.', registers: [registry] }).set(-3.5);
  const h = new client.Histogram({ name: 'render_seconds', help: 'Render.', labelNames: ['view'], buckets: [0.01, 0.1, 1], registers: [registry] });
  h.observe({ view: 'home' }, 0.05);
  h.observe({ view: 'home' }, 2);
  h.observe({ view: 'list' }, 0.001);
  const s = new client.Summary({ name: 'size_bytes', help: 'Sizes.', percentiles: [0.5, 0.99], registers: [registry] });
  for (const v of [10, 20, 30]) s.observe(v);
  client.collectDefaultMetrics({ register: registry });
  const snapshot = fromPromClientJson(await registry.getMetricsAsJSON());
  t.deepEqual(samples(renderExposition(snapshot.families)), samples(await registry.metrics()));
  // It crosses JSON IPC and passes the primary's checks.
  t.not(typeof readSnapshot(JSON.parse(JSON.stringify(snapshot))), 'string');
});

test("without a registry the adapter imports prom-client and reads its global register", async (t) => {
  const name = `adapter_probe_${process.pid}_total`;
  const probe = new client.Counter({ name, help: 'Probe.' });
  t.teardown(() => client.register.removeSingleMetric(name));
  probe.inc(4);
  const snapshot: MetricsSnapshot = await promClientSnapshot();
  const family = snapshot.families.find((f) => f.name === name);
  t.like(family, { type: 'counter', series: [{ value: 4 }] });
});

test("a worker's prom-client metrics join the scrape under its worker label", async (t) => {
  const registry = new client.Registry();
  new client.Gauge({ name: 'queue_depth', help: 'Q.', labelNames: ['q'], registers: [registry] }).set({ q: 'mail' }, 3);
  const { families } = mergeSnapshots({ families: [] }, [{ worker: '4', snapshot: await promClientSnapshot(registry) }]);
  t.regex(renderExposition(families), /^queue_depth\{q="mail",worker="4"\} 3$/m);
});

test('junk in prom-client-shaped input is skipped, not thrown', (t) => {
  const snapshot = fromPromClientJson([null, 1, { name: 'x' }, { name: 'u', type: 'untyped', values: [] }, { name: 'g', help: '', type: 'gauge', values: [null, { value: 1, labels: {} }] }]);
  t.deepEqual(snapshot.families.map((f) => [f.name, f.help, f.series.length]), [['g', 'g', 1]]);
});
