// Reading a peer's snapshot: untrusted data is checked, bounded, and never reaches Object.prototype.
import test from 'ava';
import { readSnapshot } from '../../src/metrics/index.js';

const ok = (families: unknown[]): unknown => ({ families });
const counter = (series: unknown[], name = 'c_total'): unknown => ({ name, help: 'h', type: 'counter', series });

test('malformed snapshots are refused with a reason, never thrown', (t) => {
  const cases: [unknown, RegExp][] = [
    [null, /not an object/],
    [{}, /no family list/],
    [ok([{ name: 'bad name', help: 'h', type: 'gauge', series: [] }]), /bad metric name/],
    [ok([{ name: 'g', help: 1, type: 'gauge', series: [] }]), /bad help/],
    [ok([{ name: 'g', help: 'h', type: 'untyped', series: [] }]), /bad type/],
    [ok([counter([{ labels: { 'bad-label': 'x' }, value: 1 }])]), /bad label name/],
    [ok([counter([{ labels: { __name__: 'x' }, value: 1 }])]), /bad label name/],
    [ok([counter([{ labels: { a: 1 }, value: 1 }])]), /label "a" has a bad value/],
    [ok([counter([{ labels: {}, value: '1' }])]), /bad value/],
    [ok([{ name: 'h', help: 'h', type: 'histogram', bounds: [2, 1], series: [] }]), /ascending/],
    [ok([{ name: 'h', help: 'h', type: 'histogram', bounds: [1], series: [{ labels: {}, buckets: [1, 2], sum: 1, count: 2 }] }]), /do not match/],
    [ok([{ name: 'h', help: 'h', type: 'histogram', bounds: [1, 2], series: [{ labels: {}, buckets: [3, 2], sum: 1, count: 3 }] }]), /not cumulative/],
    [ok([{ name: 'h', help: 'h', type: 'histogram', bounds: [1], series: [{ labels: {}, buckets: [3], sum: 1, count: 2 }] }]), /not cumulative/],
    [ok([{ name: 's', help: 'h', type: 'summary', series: [{ labels: {}, quantiles: [[2, 1]], sum: 1, count: 1 }] }]), /bad quantile/],
    [ok([counter([{ labels: {}, value: 1 }]), { name: 'g', help: 'h', type: 'gauge', series: [{ labels: {}, get value() { throw new Error('x'); } }] }]), /could not be read/],
  ];
  for (const [i, [raw, reason]] of cases.entries()) {
    const read = readSnapshot(raw);
    t.is(typeof read, 'string', `case ${i}`);
    t.regex(read as string, reason);
  }
});

test('sizes are bounded: too many families, series or samples are refused', (t) => {
  t.regex(readSnapshot(ok(Array.from({ length: 1_001 }, (_, i) => counter([], `c${i}_total`)))) as string, /more than 1000 families/);
  t.regex(readSnapshot(ok([counter(Array.from({ length: 10_001 }, () => ({ labels: {}, value: 1 })))])) as string, /bad series list/);
  const wide = Array.from({ length: 30 }, (_, i) => ({ name: `h${i}`, help: 'h', type: 'histogram', bounds: Array.from({ length: 60 }, (_, b) => b), series: Array.from({ length: 2_000 }, () => ({ labels: {}, buckets: new Array(60).fill(0), sum: 0, count: 0 })) }));
  t.regex(readSnapshot(ok(wide)) as string, /more than 200000 samples/);
});

test('a __proto__ label key in a peer snapshot is only data: nothing reaches Object.prototype', (t) => {
  const raw = JSON.parse('{"families":[{"name":"c_total","help":"h","type":"counter","series":[{"labels":{"__proto__":"x","polluted":"yes"},"value":1}]}]}') as unknown;
  const read = readSnapshot(raw);
  // "__proto__" is a reserved label name (it starts with "__"): the snapshot is refused.
  t.is(typeof read, 'string');
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  const fine = readSnapshot(JSON.parse('{"families":[{"name":"c_total","help":"h","type":"counter","series":[{"labels":{"constructor":"x"},"value":1}]}]}'));
  t.not(typeof fine, 'string');
  if (typeof fine === 'string') return;
  const labels = fine.families[0]!.series[0]!.labels;
  t.is(Object.getPrototypeOf(labels), null);
  t.is(labels['constructor'], 'x');
});
