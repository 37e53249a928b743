// W3C Trace Context as the call frame carries it: valid values pass, invalid ones are ignored.
import test from 'ava';
import { decodeTraceField, encodeTraceField, formatTraceparent, parseTraceparent } from '../../src/tracing/index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

test('a valid traceparent parses into its trace id, parent id and flags', (t) => {
  t.deepEqual(parseTraceparent(VALID), { traceId: TRACE, spanId: SPAN, flags: 1 });
  t.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-00`), { traceId: TRACE, spanId: SPAN, flags: 0 });
  // A later version may append fields; they are ignored.
  t.deepEqual(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`), { traceId: TRACE, spanId: SPAN, flags: 1 });
});

test('invalid traceparents are refused: version ff, zero ids, upper case, wrong lengths, extra fields on 00', (t) => {
  for (const bad of [
    `ff-${TRACE}-${SPAN}-01`,
    `00-${'0'.repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    `00-${TRACE.slice(1)}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-1`,
    `00-${TRACE}-${SPAN}-01-extra`,
    `00-${TRACE}-${SPAN}-01 `,
    '',
    42,
    undefined,
    `00-${TRACE}-${SPAN}-01`.padEnd(300, 'x'),
  ]) {
    t.is(parseTraceparent(bad), undefined, String(bad));
  }
});

test('formatTraceparent writes version 00 with two hex digits of flags', (t) => {
  t.is(formatTraceparent(TRACE, SPAN, 1), VALID);
  t.is(formatTraceparent(TRACE, SPAN, 0), `00-${TRACE}-${SPAN}-00`);
});

test('the frame field is the traceparent alone, or with a tracestate a pair, and decodes back', (t) => {
  t.is(encodeTraceField({ traceparent: VALID }), VALID);
  t.deepEqual(encodeTraceField({ traceparent: VALID, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }), [VALID, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE']);
  t.deepEqual(decodeTraceField(VALID), { traceparent: VALID });
  t.deepEqual(decodeTraceField([VALID, 'tenant@vendor=x']), { traceparent: VALID, tracestate: 'tenant@vendor=x' });
  t.deepEqual(decodeTraceField([VALID, 'tenant@vendor=x, other=y']), { traceparent: VALID, tracestate: 'tenant@vendor=x,other=y' });
});

test('a bad tracestate is dropped and the traceparent kept; a bad traceparent drops the field', (t) => {
  t.deepEqual(decodeTraceField([VALID, 'UPPER=1']), { traceparent: VALID });
  t.deepEqual(decodeTraceField([VALID, 'k=v'.padEnd(600, 'v')]), { traceparent: VALID });
  t.deepEqual(decodeTraceField([VALID, Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')]), { traceparent: VALID });
  t.deepEqual(decodeTraceField([VALID, 42]), { traceparent: VALID });
  t.is(decodeTraceField('garbage'), undefined);
  t.is(decodeTraceField(['garbage', 'k=v']), undefined);
  t.is(decodeTraceField([VALID]), undefined);
  t.is(decodeTraceField({ traceparent: VALID }), undefined);
  t.is(decodeTraceField(undefined), undefined);
});
