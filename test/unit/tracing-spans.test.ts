// Spans with the OpenTelemetry SDK's in-memory exporter: a CLIENT span where a call is made, a
// SERVER span where it is handled, one trace across a call and the nested call back.
import test from 'ava';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEndpoint, type Endpoint } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing.js';
import { loadRpcTracing, parseTraceparent, type RpcTracing } from '../../src/tracing/index.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';
import { withTimeout } from '../fixtures/process.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

async function tracing(options: { rootSpans?: boolean } = { rootSpans: true }): Promise<RpcTracing> {
  const loaded = await loadRpcTracing(options);
  if (loaded === undefined) throw new Error('@opentelemetry/api should be installed for this test');
  return loaded;
}

type WorkerSide = Endpoint<(typeof testContract)['primary'], (typeof testContract)['events']>;
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

test.serial.beforeEach(() => exporter.reset());

test.serial('a CLIENT span is named by the method, carries the rpc attributes, and its context is the frame field', async (t) => {
  const tr = await tracing();
  const span = tr.startClient('greet');
  t.is(typeof span.field, 'string');
  span.end('ok');
  const [finished] = exporter.getFinishedSpans();
  t.like(finished, { name: 'greet', kind: SpanKind.CLIENT });
  t.deepEqual(finished!.attributes, { 'rpc.system': 'typed-cluster-rpc', 'rpc.method': 'greet' });
  t.deepEqual(parseTraceparent(span.field), { traceId: finished!.spanContext().traceId, spanId: finished!.spanContext().spanId, flags: 1 });
});

test.serial('a SERVER span continues the trace in the field; a failure sets status ERROR and error.type', async (t) => {
  const tr = await tracing();
  const client = tr.startClient('greet');
  const server = tr.startServer('greet', client.field);
  const inner = server.run(() => trace.getActiveSpan()?.spanContext().spanId);
  server.end('RPC_VALIDATION', new Error('bad input'));
  client.end('RPC_REMOTE', new Error('it broke'));
  const [s, c] = exporter.getFinishedSpans();
  t.is(s!.kind, SpanKind.SERVER);
  t.is(s!.spanContext().traceId, c!.spanContext().traceId);
  t.is(parentOf(s!), c!.spanContext().spanId);
  t.is(inner, s!.spanContext().spanId);
  t.deepEqual(s!.status, { code: SpanStatusCode.ERROR, message: 'bad input' });
  t.is(s!.attributes['error.type'], 'RPC_VALIDATION');
  t.is(c!.attributes['error.type'], 'RPC_REMOTE');
});

test.serial('a tracestate travels with the traceparent; a field that is junk starts a new trace', async (t) => {
  const tr = await tracing();
  const withState = tr.startServer('greet', ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'congo=t61rcWkgMzE']);
  withState.end('ok');
  const junk = tr.startServer('greet', { traceparent: 'nope', __proto__: { polluted: true } });
  junk.end('ok');
  const [a, b] = exporter.getFinishedSpans();
  t.is(a!.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  t.is(a!.parentSpanContext?.traceState?.get('congo'), 't61rcWkgMzE');
  t.is(parentOf(b!), undefined);
  t.not(b!.spanContext().traceId, a!.spanContext().traceId);
});

test.serial('over a memory pair, a call and the nested call back make one trace: CLIENT → SERVER → CLIENT → SERVER', async (t) => {
  const tr = await tracing();
  const [a, b] = createMemoryTransportPair({ serialization: 'json' });
  const primary = createEndpoint(testContract, 'primary', a, { tracing: tr, handlers: primaryHandlers() });
  const worker: WorkerSide = createEndpoint(testContract, 'worker', b, { tracing: tr, handlers: workerHandlers(() => worker) });
  t.teardown(async () => {
    await primary.close();
    await worker.close();
  });
  const root = trace.getTracer('test').startSpan('request');
  const answer = await withTimeout(
    context.with(trace.setSpan(context.active(), root), () => primary.call('callBack', { text: 'hi' })),
    10_000,
    'the traced call',
  );
  root.end();
  t.is(answer, 'HI!');
  const spans = exporter.getFinishedSpans();
  const find = (name: string, kind: SpanKind): ReadableSpan => {
    const s = spans.find((x) => x.name === name && x.kind === kind);
    if (s === undefined) throw new Error(`no ${name} span of kind ${kind}: ${spans.map((x) => `${x.name}/${x.kind}`).join(', ')}`);
    return s;
  };
  const outer = find('callBack', SpanKind.CLIENT);
  const handler = find('callBack', SpanKind.SERVER);
  const nested = find('upper', SpanKind.CLIENT);
  const nestedHandler = find('upper', SpanKind.SERVER);
  t.is(new Set([root, outer, handler, nested, nestedHandler].map((s) => s.spanContext().traceId)).size, 1);
  t.is(parentOf(outer), root.spanContext().spanId);
  t.is(parentOf(handler), outer.spanContext().spanId);
  t.is(parentOf(nested), handler.spanContext().spanId);
  t.is(parentOf(nestedHandler), nested.spanContext().spanId);
});

test.serial('a traced caller and an untraced callee interoperate: the extra frame field is ignored', async (t) => {
  const tr = await tracing();
  const [a, b] = createMemoryTransportPair();
  const primary = createEndpoint(testContract, 'primary', a, { tracing: tr, handlers: primaryHandlers() });
  const worker: WorkerSide = createEndpoint(testContract, 'worker', b, { handlers: workerHandlers(() => worker) });
  t.teardown(async () => {
    await primary.close();
    await worker.close();
  });
  t.regex(await withTimeout(primary.call('greet', { name: 'Ada' }), 10_000, 'the call'), /^hello Ada/);
  t.deepEqual(exporter.getFinishedSpans().map((s) => [s.name, s.kind]), [['greet', SpanKind.CLIENT]]);
});

test.serial('an untraced caller reaches a traced callee, whose SERVER span starts a trace of its own', async (t) => {
  const tr = await tracing();
  const [a, b] = createMemoryTransportPair();
  const primary = createEndpoint(testContract, 'primary', a, { handlers: primaryHandlers() });
  const worker: WorkerSide = createEndpoint(testContract, 'worker', b, { tracing: tr, handlers: workerHandlers(() => worker) });
  t.teardown(async () => {
    await primary.close();
    await worker.close();
  });
  t.regex(await withTimeout(primary.call('greet', { name: 'Ada' }), 10_000, 'the call'), /^hello Ada/);
  const spans = exporter.getFinishedSpans();
  t.deepEqual(spans.map((s) => [s.name, s.kind]), [['greet', SpanKind.SERVER]]);
  t.is(parentOf(spans[0]!), undefined);
});

test.serial('by default a call outside any span makes no span and carries no context; inside one it is traced', async (t) => {
  const tr = await tracing({});
  const background = tr.startClient('ping');
  t.is(background.field, undefined);
  background.end('ok');
  const untraced = tr.startServer('ping', undefined);
  t.is(untraced.run(() => trace.getActiveSpan()), undefined);
  untraced.end('ok');
  t.deepEqual(exporter.getFinishedSpans(), []);
  const root = trace.getTracer('test').startSpan('request');
  const inside = context.with(trace.setSpan(context.active(), root), () => tr.startClient('greet'));
  inside.end('ok');
  root.end();
  t.deepEqual(exporter.getFinishedSpans().map((s) => [s.name, parentOf(s) === root.spanContext().spanId]), [['greet', true], ['request', false]]);
});

test.serial('loadRpcTracing refuses bad options', async (t) => {
  await t.throwsAsync(loadRpcTracing({ rootSpans: 'yes' as never }), { instanceOf: TypeError, message: /rootSpans must be a boolean/ });
  await t.throwsAsync(loadRpcTracing({ system: '' }), { instanceOf: TypeError, message: /system must be/ });
  await t.throwsAsync(loadRpcTracing(null as never), { instanceOf: TypeError });
});

test.serial('in an unsampled trace no span is made on either side, and the context still travels', async (t) => {
  const tr = await tracing();
  const unsampled = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 });
  const client = context.with(trace.setSpan(context.active(), unsampled), () => tr.startClient('greet'));
  t.is(client.field, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
  const server = tr.startServer('greet', client.field);
  const nested = server.run(() => tr.startClient('upper'));
  t.is(nested.field, client.field);
  nested.end('ok');
  server.end('ok');
  client.end('ok');
  t.deepEqual(exporter.getFinishedSpans(), []);
});

test.serial('by default, a call in an unsampled trace carries no context, and a handler in one enters none', async (t) => {
  const tr = await tracing({});
  const unsampled = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 });
  const client = context.with(trace.setSpan(context.active(), unsampled), () => tr.startClient('greet'));
  t.is(client.field, undefined);
  client.end('ok');
  const server = tr.startServer('greet', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
  const nested = server.run(() => tr.startClient('upper'));
  t.is(nested.field, undefined);
  nested.end('ok');
  server.end('ok');
  t.deepEqual(exporter.getFinishedSpans(), []);
});

test.serial('with no tracer provider registered, spans have nothing to propagate and no field is sent', async (t) => {
  trace.disable();
  t.teardown(() => void trace.setGlobalTracerProvider(provider));
  const tr = await tracing();
  const span = tr.startClient('greet');
  t.is(span.field, undefined);
  span.end('ok');
  t.deepEqual(exporter.getFinishedSpans(), []);
});
