// Malformed and foreign traffic: an endpoint whose other end sends garbage keeps working, counts
// and reports the garbage, and never lets a key reach Object.prototype.
import test from 'ava';
import { RpcValidationError } from '../../src/index.js';
import { openRawLink, SERIALIZATIONS, within } from '../fixtures/unit-helpers.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** A random JSON value; objects are built with JSON.parse so that `__proto__` becomes an own key. */
function jsonValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 4 : 6));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(next() * 2_000) - 1_000;
    case 2:
      return next() < 0.5;
    case 3:
      return ['', 'x', 'call', '~crpc', '__proto__', 'é✓'][Math.floor(next() * 6)];
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => jsonValue(next, depth + 1));
    default: {
      const entries = Array.from({ length: Math.floor(next() * 4) }, () => {
        const key = next() < 0.5 ? HOSTILE_KEYS[Math.floor(next() * HOSTILE_KEYS.length)]! : ['a', 'b', 'i', 'm', 'p'][Math.floor(next() * 5)]!;
        return `${JSON.stringify(key)}:${JSON.stringify(jsonValue(next, depth + 1)) ?? 'null'}`;
      });
      return JSON.parse(`{${entries.join(',')}}`);
    }
  }
}

/** What the endpoint must make of a frame. */
type Expect = 'protocol' | 'unknown-method' | 'late' | 'invalid-event' | 'invalid-input' | 'ignored';

const pollute = (json: string): unknown => JSON.parse(json);

/** 1,000 hostile frames with what each must cause. Never a `bye`, which would close the link. */
function hostileFrames(seed: number): { frame: unknown; expect: Expect }[] {
  const next = random(seed);
  const out: { frame: unknown; expect: Expect }[] = [];
  let n = 0;
  const id = () => `h${n++}`;
  const makers: (() => { frame: unknown; expect: Expect })[] = [
    // Random JSON values: never a frame (no own "k").
    () => ({ frame: jsonValue(next), expect: 'protocol' }),
    () => ({ frame: [1, 2, 3], expect: 'protocol' }),
    () => ({ frame: pollute('{"__proto__": {"polluted": 1}}'), expect: 'protocol' }),
    () => ({ frame: pollute('{"constructor": {"prototype": {"polluted": 1}}}'), expect: 'protocol' }),
    () => ({ frame: pollute('{"__proto__": {"k": "call", "i": "x", "m": "greet"}}'), expect: 'protocol' }),
    // Wrong kinds.
    () => ({ frame: { k: ['nope', 'CALL', '', '__proto__', 'calls'][Math.floor(next() * 5)], i: id(), m: 'greet' }, expect: 'protocol' }),
    () => ({ frame: { k: [5, null, true, {}, ['call']][Math.floor(next() * 5)] }, expect: 'protocol' }),
    // Wrong field types.
    () => ({ frame: { k: 'call', i: [5, null, {}, '', ['a']][Math.floor(next() * 5)], m: 'greet', p: { name: 'x' } }, expect: 'protocol' }),
    () => ({ frame: { k: 'call', i: id(), m: [7, null, {}, '', ['greet']][Math.floor(next() * 5)] }, expect: 'protocol' }),
    () => ({ frame: { k: 'event', m: [7, null, {}, ''][Math.floor(next() * 4)], p: { n: 1 } }, expect: 'protocol' }),
    () => ({ frame: { k: ['ok', 'err', 'cancel'][Math.floor(next() * 3)], i: [5, null, {}, ''][Math.floor(next() * 4)] }, expect: 'protocol' }),
    // Ids and names too long.
    () => ({ frame: { k: 'call', i: 'x'.repeat(65), m: 'greet', p: { name: 'x' } }, expect: 'protocol' }),
    () => ({ frame: { k: 'call', i: id(), m: 'g'.repeat(129) }, expect: 'protocol' }),
    () => ({ frame: { k: 'event', m: 'e'.repeat(129), p: { n: 1 } }, expect: 'protocol' }),
    // Method and event names that are Object.prototype's.
    () => ({ frame: { k: 'call', i: id(), m: ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'][Math.floor(next() * 5)] }, expect: 'unknown-method' }),
    () => ({ frame: { k: 'event', m: ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'error'][Math.floor(next() * 5)], p: { n: 1 } }, expect: 'protocol' }),
    // Well-formed frames that carry hostile data.
    () => ({ frame: { k: 'call', i: id(), m: 'greet', p: pollute('{"__proto__": {"polluted": 1}, "name": 5}') }, expect: 'invalid-input' }),
    () => ({ frame: { k: 'event', m: 'ping', p: pollute('{"__proto__": {"polluted": 1}, "n": "x"}') }, expect: 'invalid-event' }),
    () => ({ frame: { k: 'ok', i: id(), p: pollute('{"__proto__": {"polluted": 1}}') }, expect: 'late' }),
    () => ({ frame: { k: 'err', i: id(), e: pollute('{"__proto__": {"polluted": 1}, "data": {"__proto__": {"polluted": 1}}}') }, expect: 'late' }),
    () => ({ frame: { k: 'cancel', i: id(), r: jsonValue(next), t: jsonValue(next) }, expect: 'ignored' }),
  ];
  for (let i = 0; i < 1_000; i++) out.push(makers[Math.floor(next() * makers.length)]!());
  return out;
}

for (const serialization of SERIALIZATIONS) {
  test(`after 1,000 malformed and hostile frames the endpoint still answers, counts them and Object.prototype is untouched (${serialization})`, async (t) => {
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const { endpoint, log, send } = openRawLink(t, { serialization });
    const errors: Error[] = [];
    endpoint.on('error', (error) => {
      errors.push(error);
    });
    const frames = hostileFrames(serialization === 'json' ? 1 : 2);
    for (const { frame } of frames) send(frame);
    const count = (e: Expect) => frames.filter((f) => f.expect === e).length;

    // A normal call from the raw side is answered, after everything sent before it.
    send({ k: 'call', i: 'final', m: 'greet', p: { name: 'Ada' } });
    const answer = await log.next((f) => f['i'] === 'final');
    t.deepEqual(answer, { k: 'ok', i: 'final', p: 'hello Ada from 1' });

    // And a call from the endpoint still gets its reply.
    const call = endpoint.call('upper', 'abc');
    const request = await log.next((f) => f['k'] === 'call');
    send({ k: 'ok', i: request['i'], p: 'ABC' });
    t.is(await within(call, 5_000, 'upper'), 'ABC');

    t.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeys);
    t.is(({} as any).polluted, undefined);
    t.is((Object.prototype as any).polluted, undefined);

    const s = endpoint.stats();
    t.is(s.protocolErrors, count('protocol'));
    t.is(s.lateReplies, count('late'));
    t.is(s.validationFailures, count('invalid-event') + count('invalid-input'));
    t.is(s.callsReceived, count('unknown-method') + count('invalid-input') + 1);
    t.is(s.handling, 0);
    t.is(s.inFlight, 0);
    t.is(s.unheardErrors, 0);
    t.true(s.protocolErrors > 300, `${s.protocolErrors} protocol errors`);
    // Every problem was reported: the malformed frames and the invalid events.
    t.is(errors.length, count('protocol') + count('invalid-event'));
    t.true(errors.every((e) => e instanceof Error));
    t.is(errors.filter((e) => e instanceof RpcValidationError).length, count('invalid-event'));
    t.true(errors.some((e) => /malformed frame/.test(e.message)));
    t.true(errors.some((e) => /unknown event/.test(e.message)));

    // Unknown methods and invalid inputs were answered with errors, never with a result.
    const replies = log.frames.filter((f) => f['k'] === 'err');
    const codes = replies.map((f) => (f['e'] as { code?: string }).code);
    t.is(codes.filter((c) => c === 'RPC_UNKNOWN_METHOD').length, count('unknown-method'));
    t.is(codes.filter((c) => c === 'RPC_VALIDATION').length, count('invalid-input'));
    t.is(log.frames.filter((f) => f['k'] === 'ok').length, 1);
  });
}

test('a hostile err reply to a real call rejects it with an RpcRemoteError whose data cannot reach Object.prototype', async (t) => {
  const { endpoint, log, send } = openRawLink(t);
  const call = endpoint.call('upper', 'x');
  const request = await log.next((f) => f['k'] === 'call');
  send({
    k: 'err',
    i: request['i'],
    e: JSON.parse('{"name": {"x": 1}, "message": 5, "code": [], "stack": {}, "data": {"__proto__": {"polluted": 1}, "ok": 1}, "__proto__": {"rpc": true}}'),
  });
  const error = (await t.throwsAsync(within(call, 5_000, 'upper'))) as any;
  t.is(error?.code, 'RPC_REMOTE');
  t.is(error?.remoteName, 'Error');
  t.is(error?.message, '');
  t.is(error?.remoteCode, undefined);
  t.is(error?.remoteStack, undefined);
  t.is(error?.data?.ok, 1);
  t.true(Object.hasOwn(error?.data, '__proto__'), 'the hostile key is plain data');
  t.is(({} as any).polluted, undefined);
  t.is(endpoint.stats().inFlight, 0);
});

test('a cancel for a call the endpoint never received changes nothing', async (t) => {
  const { endpoint, log, send } = openRawLink(t);
  send({ k: 'cancel', i: 'never', r: 'abort' });
  send({ k: 'call', i: 'after', m: 'greet', p: { name: 'x' } });
  t.deepEqual(await log.next((f) => f['i'] === 'after'), { k: 'ok', i: 'after', p: 'hello x from 1' });
  t.is(endpoint.stats().protocolErrors, 0);
  t.is(endpoint.stats().handling, 0);
});

test('a second call with the id of a call still running is ignored: one id, one reply', async (t) => {
  const { endpoint, log, send } = openRawLink(t);
  send({ k: 'call', i: 'dup', m: 'sleep', p: { ms: 30 } });
  send({ k: 'call', i: 'dup', m: 'greet', p: { name: 'second' } });
  t.deepEqual(await log.next((f) => f['i'] === 'dup'), { k: 'ok', i: 'dup', p: { aborted: false } });
  send({ k: 'call', i: 'after', m: 'greet', p: { name: 'x' } });
  await log.next((f) => f['i'] === 'after');
  t.is(log.frames.filter((f) => f['i'] === 'dup').length, 1);
  t.is(endpoint.stats().handling, 0);
});

test('messages that are not ours are ignored, and malformed envelopes are reported, by the transport', async (t) => {
  const { endpoint, raw, log, send } = openRawLink(t);
  const errors: Error[] = [];
  endpoint.on('error', (error) => {
    errors.push(error);
  });
  // The memory transport's receive() is its channel's inbound side (internal, not public API):
  // it stands for what process.on('message') would hand over.
  const other = (raw as unknown as { other: { receive(message: unknown): void } }).other;
  for (const foreign of [null, 42, 'hello', [], { cmd: 'NODE_CLUSTER' }, { type: 'user' }, Object.create({ '~crpc': 1, f: [] })]) other.receive(foreign);
  t.is(errors.length, 0, 'foreign messages are not problems');
  other.receive({ '~crpc': 2, f: [] });
  other.receive({ '~crpc': '1', f: [] });
  other.receive({ '~crpc': 1 });
  other.receive({ '~crpc': 1, f: { length: 1, 0: {} } });
  other.receive({ '~crpc': 1, f: new Array(65_537).fill(null) });
  t.is(errors.length, 5);
  t.true(errors.every((e) => /malformed message/.test(e.message)));
  t.is(endpoint.stats().protocolErrors, 5);
  send({ k: 'call', i: 'still', m: 'greet', p: { name: 'x' } });
  t.deepEqual(await log.next((f) => f['i'] === 'still'), { k: 'ok', i: 'still', p: 'hello x from 1' });
});

test("without an 'error' listener problems are counted in stats().unheardErrors", async (t) => {
  const { endpoint, log, send } = openRawLink(t);
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  send(1);
  send(2);
  send({ k: 'call', i: 'probe', m: 'greet', p: { name: 'x' } });
  await log.next((f) => f['i'] === 'probe');
  t.is(endpoint.stats().unheardErrors, 2);
  t.is(endpoint.stats().protocolErrors, 2);
  await new Promise<void>((resolve) => setImmediate(resolve)); // warnings are emitted on nextTick
  t.is(warnings.filter((w) => w.name === 'ClusterRpcWarning').length, 1, 'only the first one is a process warning');
});
