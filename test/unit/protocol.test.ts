// The wire layer on its own: openEnvelope, readFrame and decodeError with hostile inputs.
import test from 'ava';
import { RpcBusyError, RpcClosedError, RpcRemoteError, RpcUnknownMethodError, RpcValidationError } from '../../src/index.js';
import { decodeError, encodeError } from '../../src/protocol/errors.js';
import { BYE_FRAME, callFrame, cancelFrame, ENVELOPE_TAG, errFrame, eventFrame, MAX_FRAMES_PER_ENVELOPE, okFrame, openEnvelope, readFrame } from '../../src/protocol/frames.js';

test('openEnvelope ignores every message that does not carry the tag as its own key', (t) => {
  for (const message of [undefined, null, 0, 'x', true, [], {}, { f: [] }, Object.create({ [ENVELOPE_TAG]: 1, f: [] }), JSON.parse('{"__proto__": {"~crpc": 1}, "f": []}')]) {
    t.is(openEnvelope(message), undefined);
  }
});

test('openEnvelope reports an unknown protocol version as a string', (t) => {
  for (const version of [0, 2, '1', null, {}]) {
    const result = openEnvelope({ [ENVELOPE_TAG]: version, f: [] });
    t.is(typeof result, 'string');
    t.regex(result as string, /protocol version .* is not supported/);
  }
});

test('openEnvelope reports an envelope whose frame list is not an array', (t) => {
  for (const f of [undefined, null, 'frames', { length: 0 }, 3]) {
    t.is(openEnvelope({ [ENVELOPE_TAG]: 1, f }), 'envelope without a frame list');
  }
});

test('openEnvelope refuses more frames than MAX_FRAMES_PER_ENVELOPE and accepts exactly that many', (t) => {
  t.regex(openEnvelope({ [ENVELOPE_TAG]: 1, f: new Array(MAX_FRAMES_PER_ENVELOPE + 1).fill(0) }) as string, /at most/);
  const opened = openEnvelope({ [ENVELOPE_TAG]: 1, f: new Array(MAX_FRAMES_PER_ENVELOPE).fill(0) });
  t.is(typeof opened, 'object');
});

test('openEnvelope reads the handshake step only when it is 1 or 2', (t) => {
  const step = (h: unknown) => (openEnvelope({ [ENVELOPE_TAG]: 1, f: [], h }) as { handshake: unknown }).handshake;
  t.is(step(1), 1);
  t.is(step(2), 2);
  for (const h of [0, 3, '1', null, {}]) t.is(step(h), undefined);
});

test('readFrame refuses values that are not objects', (t) => {
  for (const raw of [undefined, null, 0, 'call', true, [], [{ k: 'call' }]]) t.is(readFrame(raw), 'frame is not an object');
});

test('readFrame refuses unknown and inherited kinds', (t) => {
  for (const raw of [{}, { k: 'nope' }, { k: 5 }, { k: null }, { k: ['call'] }, Object.create({ k: 'bye' }), JSON.parse('{"__proto__": {"k": "bye"}}')]) {
    t.regex(readFrame(raw) as string, /^unknown frame kind/);
  }
  t.is(readFrame({ k: 'x'.repeat(1_000) }), `unknown frame kind ${JSON.stringify('x'.repeat(32))}`, 'the kind is clipped in the message');
});

test('readFrame bounds ids at 64 characters and names at 128', (t) => {
  t.is(typeof readFrame({ k: 'call', i: 'i'.repeat(64), m: 'm'.repeat(128) }), 'object');
  t.is(readFrame({ k: 'call', i: 'i'.repeat(65), m: 'm' }), 'call frame with a bad id');
  t.is(readFrame({ k: 'call', i: '', m: 'm' }), 'call frame with a bad id');
  t.is(readFrame({ k: 'call', i: 'i', m: 'm'.repeat(129) }), 'call frame with a bad method name');
  t.is(readFrame({ k: 'call', i: 'i', m: '' }), 'call frame with a bad method name');
  t.is(readFrame({ k: 'event', m: 'e'.repeat(129) }), 'event frame with a bad event name');
});

test('readFrame refuses ids and names of the wrong type', (t) => {
  for (const bad of [5, null, {}, ['a'], true]) {
    t.is(readFrame({ k: 'call', i: bad, m: 'greet' }), 'call frame with a bad id');
    t.is(readFrame({ k: 'call', i: 'a', m: bad }), 'call frame with a bad method name');
    t.is(readFrame({ k: 'ok', i: bad }), 'reply frame with a bad id');
    t.is(readFrame({ k: 'err', i: bad }), 'error frame with a bad id');
    t.is(readFrame({ k: 'cancel', i: bad }), 'cancel frame with a bad id');
    t.is(readFrame({ k: 'event', m: bad }), 'event frame with a bad event name');
  }
});

test('readFrame keeps a __proto__ key of a frame as data and pollutes nothing', (t) => {
  const raw = JSON.parse('{"k": "call", "i": "a", "m": "greet", "__proto__": {"polluted": 1}, "p": {"__proto__": {"polluted": 1}}}');
  const frame = readFrame(raw);
  t.is(frame, raw);
  t.is(({} as any).polluted, undefined);
});

test('decodeError turns any wire value into an RpcRemoteError with safe defaults', (t) => {
  for (const wire of [undefined, null, 42, 'boom', [], {}, { name: 5, message: {}, code: 7, stack: [], data: 'x', cause: undefined }]) {
    const error = decodeError('m', wire);
    t.true(error instanceof RpcRemoteError);
    const remote = error as RpcRemoteError;
    t.is(remote.method, 'm');
    t.is(remote.remoteName, 'Error');
    t.is(remote.message, '');
    t.is(remote.remoteCode, undefined);
    t.is(remote.remoteStack, undefined);
    t.is(remote.data, undefined);
    t.is(remote.cause, undefined);
  }
});

test('decodeError keeps __proto__, constructor and prototype keys of data as plain own data', (t) => {
  const error = decodeError('m', JSON.parse('{"name": "E", "message": "x", "data": {"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "ok": 2}}')) as RpcRemoteError;
  t.is(Object.getPrototypeOf(error.data), null);
  t.true(Object.hasOwn(error.data!, '__proto__'));
  t.true(Object.hasOwn(error.data!, 'constructor'));
  t.is(error.data?.['ok'], 2);
  t.is(({} as any).polluted, undefined);
  t.is(RpcRemoteError.prototype.constructor, RpcRemoteError);
});

test('decodeError bounds a cause chain, even a cyclic one', (t) => {
  const cyclic: Record<string, unknown> = { name: 'Loop', message: 'again' };
  cyclic['cause'] = cyclic;
  let depth = 0;
  for (let e: unknown = decodeError('m', cyclic); e instanceof RpcRemoteError; e = e.cause) depth++;
  t.true(depth >= 2 && depth <= 5, `a chain of ${depth}`);

  let deep: Record<string, unknown> = { message: 'bottom' };
  for (let i = 0; i < 10_000; i++) deep = { message: `level ${i}`, cause: deep };
  depth = 0;
  for (let e: unknown = decodeError('m', deep); e instanceof RpcRemoteError; e = e.cause) depth++;
  t.true(depth <= 5, `a chain of ${depth}`);
});

test('decodeError clips long texts and bounds the number of data keys', (t) => {
  const many = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
  const error = decodeError('m', { name: 'N'.repeat(100_000), message: 'x'.repeat(1_000_000), code: 'C'.repeat(100_000), stack: 's'.repeat(100_000), data: many }) as RpcRemoteError;
  t.true(error.message.length <= 16_385);
  t.true(error.remoteName.length <= 16_385);
  t.true((error.remoteCode ?? '').length <= 16_385);
  t.true((error.remoteStack ?? '').length <= 16_385);
  t.true(Object.keys(error.data ?? {}).length <= 32);
});

test('decodeError rebuilds library errors only when marked rpc at the top level', (t) => {
  t.true(decodeError('m', { rpc: true, code: 'RPC_UNKNOWN_METHOD', message: 'x' }) instanceof RpcUnknownMethodError);
  t.true(decodeError('m', { rpc: true, code: 'RPC_CLOSED', message: 'x' }) instanceof RpcClosedError);
  t.true(decodeError('m', { rpc: 'true', code: 'RPC_UNKNOWN_METHOD' }) instanceof RpcRemoteError);
  t.true(decodeError('m', { code: 'RPC_UNKNOWN_METHOD' }) instanceof RpcRemoteError);
  t.true(decodeError('m', { rpc: true, code: 'RPC_SOMETHING_ELSE' }) instanceof RpcRemoteError);
  const nested = decodeError('m', { message: 'outer', cause: { rpc: true, code: 'RPC_CLOSED' } });
  t.true(nested.cause instanceof RpcRemoteError, 'a cause is never rebuilt as a library error');
});

test('decodeError sanitises the fields of a forged validation or busy error', (t) => {
  const validation = decodeError('m', {
    rpc: true,
    code: 'RPC_VALIDATION',
    data: { side: 'sideways', issues: [null, 5, { path: 'a.b', message: 7 }, { path: ['a', 1, {}, null, 'b'], message: 'bad' }, ...new Array(500).fill({})] },
  }) as RpcValidationError;
  t.true(validation instanceof RpcValidationError);
  t.is(validation.side, 'input');
  t.true(validation.issues.length <= 100);
  t.deepEqual(validation.issues[0], { path: [], message: 'invalid' });
  t.deepEqual(validation.issues[2], { path: [], message: 'invalid' });
  t.deepEqual(validation.issues[3], { path: ['a', 1, 'b'], message: 'bad' });
  const notArray = decodeError('m', { rpc: true, code: 'RPC_VALIDATION', data: { issues: 'everything' } }) as RpcValidationError;
  t.deepEqual(notArray.issues, []);

  const busy = decodeError('m', { rpc: true, code: 'RPC_BUSY', data: { scope: 'galaxy', limit: 'lots' } }) as RpcBusyError;
  t.true(busy instanceof RpcBusyError);
  t.is(busy.scope, 'in-flight');
  t.is(busy.limit, 0);
});

test('encodeError followed by decodeError round-trips an error thrown by a handler', (t) => {
  const thrown = Object.assign(new TypeError('bad thing', { cause: 'a string cause' }), { code: 'E_BAD', extra: { n: 1 } });
  const error = decodeError('m', structuredClone(encodeError(thrown))) as RpcRemoteError;
  t.is(error.remoteName, 'TypeError');
  t.is(error.message, 'bad thing');
  t.is(error.remoteCode, 'E_BAD');
  t.deepEqual({ ...error.data }, { extra: { n: 1 } });
  t.true(error.cause instanceof RpcRemoteError);
  t.is((error.cause as RpcRemoteError).message, 'a string cause');
});

const cyclicNull: Record<string, unknown> = Object.create(null);
cyclicNull['self'] = cyclicNull;
const UNUSUAL_THROWS: readonly [string, () => unknown][] = [
  ['a cyclic object without a prototype', () => cyclicNull],
  ['an Error whose name is an object without a prototype', () => Object.assign(new Error('x'), { name: Object.create(null) })],
  [
    'an Error with an own enumerable getter that throws',
    () =>
      Object.defineProperty(new Error('x'), 'code', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
  ],
  ['a symbol', () => Symbol('s')],
  ['a BigInt', () => 10n],
  ['a function', () => () => 1],
];

for (const [what, make] of UNUSUAL_THROWS) {
  test(`encodeError does not throw for ${what}`, (t) => {
    const wire = t.notThrows(() => encodeError(make()));
    t.pass(String(wire));
  });
}

test('every frame the constructors build passes the guard, and none carries a key set to undefined', (t) => {
  const frames = [
    callFrame('a.1', 'm', { x: 1 }),
    callFrame('a.2', 'm', undefined),
    okFrame('a.1', 0),
    okFrame('a.2', undefined),
    errFrame('a.3', encodeError(new Error('boom'))),
    cancelFrame('a.4', 100),
    cancelFrame('a.5'),
    eventFrame('tick', null),
    eventFrame('tick', undefined),
    BYE_FRAME,
  ];
  for (const frame of frames) {
    t.is(readFrame(frame), frame);
    t.false(Object.values(frame).includes(undefined), JSON.stringify(frame));
  }
  t.deepEqual(cancelFrame('a.4', 100), { k: 'cancel', i: 'a.4', r: 'timeout', t: 100 });
  t.deepEqual(cancelFrame('a.5'), { k: 'cancel', i: 'a.5', r: 'abort' });
  t.false('p' in callFrame('a.2', 'm', undefined));
});
