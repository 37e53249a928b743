// The endpoint's `tracing` option over a memory pair: spans end with the outcome each side sees
// (a handler's error, a timeout, a refusal), and a handler that waited in a mailbox runs in its
// own call's span, not in the one that freed its place.
import test from 'ava';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadRpcTracing, type RpcTracing } from '../../src/tracing/index.js';
import { openPair, until, within } from '../fixtures/unit-helpers.js';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

async function tracing(): Promise<RpcTracing> {
  const loaded = await loadRpcTracing();
  if (loaded === undefined) throw new Error('@opentelemetry/api should be installed for this test');
  return loaded;
}

/** Runs `fn` inside a fresh sampled root span, which it ends after. */
async function inSpan<T>(name: string, fn: (root: Span) => Promise<T>): Promise<T> {
  const root = trace.getTracer('test').startSpan(name);
  try {
    return await context.with(trace.setSpan(context.active(), root), () => fn(root));
  } finally {
    root.end();
  }
}

const find = (kind: SpanKind, name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.kind === kind && s.name === name);

test.serial.beforeEach(() => exporter.reset());

test.serial("a handler's error and a timeout end both spans with the outcome as error.type", async (t) => {
  const tr = await tracing();
  const { primary } = openPair(t, { primary: { tracing: tr }, worker: { tracing: tr } });
  await inSpan('request', async () => {
    await t.throwsAsync(within(primary.call('fail', { kind: 'error' }), 5_000, 'fail'), { code: 'RPC_REMOTE' });
    await t.throwsAsync(within(primary.call('sleep', { ms: 10_000 }, { timeout: 30 }), 5_000, 'sleep'), { code: 'RPC_TIMEOUT' });
  });
  await until(() => find(SpanKind.SERVER, 'sleep').length === 1, 5_000, 'the callee ends the cancelled call');
  const [failClient] = find(SpanKind.CLIENT, 'fail');
  const [failServer] = find(SpanKind.SERVER, 'fail');
  t.is(failClient?.attributes['error.type'], 'RPC_REMOTE');
  t.is(failServer?.attributes['error.type'], 'RPC_REMOTE');
  t.is(failServer?.status.code, SpanStatusCode.ERROR);
  t.is(failServer?.status.message, 'a range error');
  t.is(find(SpanKind.CLIENT, 'sleep')[0]?.attributes['error.type'], 'RPC_TIMEOUT');
  t.is(find(SpanKind.SERVER, 'sleep')[0]?.attributes['error.type'], 'RPC_TIMEOUT');
  t.is(find(SpanKind.SERVER, 'sleep')[0]?.parentSpanContext?.spanId, find(SpanKind.CLIENT, 'sleep')[0]?.spanContext().spanId);
});

test.serial('a call refused by a full mailbox ends its SERVER span with RPC_BUSY', async (t) => {
  const tr = await tracing();
  const { primary } = openPair(t, { primary: { tracing: tr }, worker: { tracing: tr, concurrency: 1, maxQueue: 0 } });
  await inSpan('request', async () => {
    const first = primary.call('sleep', { ms: 100 });
    await t.throwsAsync(within(primary.call('sleep', { ms: 1 }), 5_000, 'the refused call'), { code: 'RPC_BUSY' });
    await within(first, 5_000, 'the first call');
  });
  const servers = find(SpanKind.SERVER, 'sleep');
  t.deepEqual(servers.map((s) => s.attributes['error.type'] ?? 'ok').sort(), ['RPC_BUSY', 'ok']);
  t.deepEqual(find(SpanKind.CLIENT, 'sleep').map((s) => s.attributes['error.type'] ?? 'ok').sort(), ['RPC_BUSY', 'ok']);
});

test.serial('a handler that waited in a mailbox runs in its own span: its nested call is its child', async (t) => {
  const tr = await tracing();
  const { primary } = openPair(t, { primary: { tracing: tr }, worker: { tracing: tr, concurrency: 1 } });
  // Two calls from two traces; the second waits until the first one's handler settles.
  const answers = await within(
    Promise.all([inSpan('one', () => primary.call('callBack', { text: 'a' })), inSpan('two', () => primary.call('callBack', { text: 'b' }))]),
    5_000,
    'the two calls',
  );
  t.deepEqual(answers, ['A!', 'B!']);
  const handlers = find(SpanKind.SERVER, 'callBack');
  const nested = find(SpanKind.CLIENT, 'upper');
  t.is(handlers.length, 2);
  t.is(nested.length, 2);
  for (const handler of handlers) {
    const child = nested.find((s) => s.parentSpanContext?.spanId === handler.spanContext().spanId);
    t.truthy(child, 'each handler has its own nested call');
    t.is(child?.spanContext().traceId, handler.spanContext().traceId);
  }
  t.not(handlers[0]!.spanContext().traceId, handlers[1]!.spanContext().traceId);
});
