// Prometheus text format 0.0.4: the exact text for known data, escaping, histogram buckets.
import test from 'ava';
import { MetricsRegistry, renderExposition, type MetricFamily } from '../../src/metrics/index.js';

const labels = (o: Record<string, string>): Record<string, string> => Object.assign(Object.create(null), o);

test('families render sorted by name, series sorted by labels, with HELP and TYPE first', (t) => {
  const families: MetricFamily[] = [
    { name: 'z_total', help: 'Zed.', type: 'counter', series: [{ labels: labels({ b: '2', a: '1' }), value: 3 }, { labels: labels({ a: '0', b: '9' }), value: 1 }] },
    { name: 'a_gauge', help: 'A.', type: 'gauge', series: [{ labels: labels({}), value: 0.25 }] },
  ];
  t.is(
    renderExposition(families),
    [
      '# HELP a_gauge A.',
      '# TYPE a_gauge gauge',
      'a_gauge 0.25',
      '# HELP z_total Zed.',
      '# TYPE z_total counter',
      'z_total{a="0",b="9"} 1',
      'z_total{a="1",b="2"} 3',
      '',
    ].join('\n'),
  );
});

test('label values escape backslash, double quote and newline; help escapes backslash and newline', (t) => {
  const text = renderExposition([{ name: 'g', help: 'line one\nback\\slash "quoted"', type: 'gauge', series: [{ labels: labels({ path: 'C:\\dir\n"x"' }), value: 1 }] }]);
  t.is(text, '# HELP g line one\\nback\\\\slash "quoted"\n# TYPE g gauge\ng{path="C:\\\\dir\\n\\"x\\""} 1\n');
});

test('non-finite values render as +Inf, -Inf and NaN', (t) => {
  const text = renderExposition([{ name: 'g', help: 'G.', type: 'gauge', series: [
    { labels: labels({ k: 'a' }), value: '+Inf' },
    { labels: labels({ k: 'b' }), value: -Infinity },
    { labels: labels({ k: 'c' }), value: NaN },
  ] }]);
  t.regex(text, /g\{k="a"\} \+Inf\ng\{k="b"\} -Inf\ng\{k="c"\} NaN\n/);
});

test('a histogram renders cumulative buckets, the +Inf bucket equal to the count, then _sum and _count', (t) => {
  const r = new MetricsRegistry();
  const h = r.histogram({ name: 'rpc_seconds', help: 'R.', labelNames: ['method'], buckets: [0.001, 0.5] });
  for (const v of [0.0005, 0.2, 0.3, 9]) h.observe({ method: 'get' }, v);
  const text = renderExposition(r.snapshot().families.filter((f) => f.name === 'rpc_seconds'));
  t.is(
    text,
    [
      '# HELP rpc_seconds R.',
      '# TYPE rpc_seconds histogram',
      'rpc_seconds_bucket{method="get",le="0.001"} 1',
      'rpc_seconds_bucket{method="get",le="0.5"} 3',
      'rpc_seconds_bucket{method="get",le="+Inf"} 4',
      'rpc_seconds_sum{method="get"} 9.5005',
      'rpc_seconds_count{method="get"} 4',
      '',
    ].join('\n'),
  );
});

test('a summary renders its quantiles, _sum and _count', (t) => {
  const text = renderExposition([{ name: 's', help: 'S.', type: 'summary', series: [{ labels: labels({}), quantiles: [[0.5, 1], [0.99, 'NaN']], sum: 3, count: 2 }] }]);
  t.is(text, '# HELP s S.\n# TYPE s summary\ns{quantile="0.5"} 1\ns{quantile="0.99"} NaN\ns_sum 3\ns_count 2\n');
});

test('a family without series keeps its HELP and TYPE lines; no family renders nothing', (t) => {
  t.is(renderExposition([{ name: 'e_total', help: 'E.', type: 'counter', series: [] }]), '# HELP e_total E.\n# TYPE e_total counter\n');
  t.is(renderExposition([]), '');
});
