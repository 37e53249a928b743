// One trace across real processes, made by the endpoint's `tracing` option: the primary's CLIENT
// span (createPrimary), the worker's SERVER span (connectPrimary), the worker's nested call back
// (CLIENT) and the primary's SERVER span for it, exported by two SDKs.
import test from 'ava';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createPrimary } from '../../src/index.js';
import { loadRpcTracing } from '../../src/tracing/index.js';
import { tracingContract } from '../fixtures/metrics-tracing-contract.js';
import { withTimeout } from '../fixtures/process.js';
import { killOnTeardown, useFixture } from './helpers.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

test('a call from the primary and the worker\'s nested call back form one trace across the two processes', async (t) => {
  const tracing = await loadRpcTracing();
  if (tracing === undefined) throw new Error('@opentelemetry/api is not installed');
  const hub = createPrimary(tracingContract, { tracing, handlers: { upper: (text) => text.toUpperCase() } });
  t.teardown(() => hub.close());
  useFixture('metrics-tracing-worker.ts');
  const worker = hub.fork();
  killOnTeardown(t, worker.worker);

  const root = trace.getTracer('test').startSpan('incoming request');
  const answer = await withTimeout(
    context.with(trace.setSpan(context.active(), root), () => worker.call('callBack', { text: 'hi' }, { timeout: 20_000 })),
    30_000,
    'the traced call',
  );
  root.end();
  t.is(answer, 'HI!');
  const traceId = root.spanContext().traceId;
  const mine = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  // Outside any span: this call is not traced, and adds nothing to the worker's spans.
  const theirs = (await withTimeout(worker.call('spans'), 10_000, 'the worker spans')).filter((s) => s.traceId === traceId);

  const outer = mine.find((s) => s.name === 'callBack' && s.kind === SpanKind.CLIENT);
  const nestedHandler = mine.find((s) => s.name === 'upper' && s.kind === SpanKind.SERVER);
  const handler = theirs.find((s) => s.name === 'callBack' && s.kind === SpanKind.SERVER);
  const nested = theirs.find((s) => s.name === 'upper' && s.kind === SpanKind.CLIENT);
  if (outer === undefined || nestedHandler === undefined || handler === undefined || nested === undefined) {
    t.fail(`missing spans: primary ${JSON.stringify(mine.map((s) => [s.name, s.kind]))}, worker ${JSON.stringify(theirs)}`);
    return;
  }
  t.is(outer.parentSpanContext?.spanId, root.spanContext().spanId);
  t.is(handler.parentSpanId, outer.spanContext().spanId);
  t.is(nested.parentSpanId, handler.spanId);
  t.is(nestedHandler.parentSpanContext?.spanId, nested.spanId);
  t.is(nestedHandler.spanContext().traceId, traceId);
  t.is(mine.length, 3, 'the primary has the request span, one CLIENT and one SERVER span in this trace');
  t.is(theirs.length, 2, 'the worker made one SERVER and one CLIENT span in this trace');
});
