// The conformance cases about calls and the errors they reject with.
import assert from 'node:assert/strict';
import { RpcRemoteError, RpcUnknownMethodError, RpcUnserializableError, RpcValidationError } from '../errors.js';
import { assertIdle, rejection, within, type ConformanceOptions, type DeclareCase } from './conformance-kit.js';

export function callCases(it: DeclareCase, options: ConformanceOptions): void {
  it('a call resolves to the output of the remote handler', async ({ primary }) => {
    const sent = primary.stats().callsSent;
    const greeting = await within(primary.call('greet', { name: 'Ada' }), 5_000, 'greet');
    const { pid } = await within(primary.call('stats'), 5_000, 'stats');
    assert.equal(greeting, `hello Ada from ${pid}`);
    assert.equal(primary.stats().callsSent - sent, 2);
  });

  it('a call without input resolves to an output that passed its schema', async (pair) => {
    const stats = await within(pair.primary.call('stats'), 5_000, 'stats');
    assert.equal(typeof stats.pid, 'number');
    assert.ok(stats.handled >= 1);
    assert.ok(stats.rssBytes > 0);
    assertIdle(pair);
  });

  it('plain JSON values round-trip through echo', async (pair) => {
    const value = { s: 'text ✓', n: -1.5, b: true, z: null, list: [1, 'two', [3], { four: 4 }], nested: { deep: { deeper: [] } } };
    assert.deepEqual(await within(pair.primary.call('echo', value), 5_000, 'echo'), value);
    assertIdle(pair);
  });

  it('a handler can call back into the caller before it replies', async (pair) => {
    const received = pair.primary.stats().callsReceived;
    assert.equal(await within(pair.primary.call('callBack', { text: 'nested' }), 5_000, 'callBack'), 'NESTED!');
    assert.equal(pair.primary.stats().callsReceived - received, 1, 'the callback reached the caller');
    assertIdle(pair);
  });

  it('200 concurrent calls each resolve to their own reply', async (pair) => {
    const results = await within(Promise.all(Array.from({ length: 200 }, (_, i) => pair.primary.call('echo', { i }))), 5_000, 'echo');
    assert.deepEqual(results, Array.from({ length: 200 }, (_, i) => ({ i })));
    assertIdle(pair);
  });

  if (options.serialization === 'advanced') {
    it('Date, BigInt, Map, Set, Uint8Array and undefined fields round-trip intact', async (pair) => {
      const value = { d: new Date(86_400_000), b: 12345678901234567890n, m: new Map([['k', 1]]), s: new Set(['a']), u: new Uint8Array([9, 8]), missing: undefined };
      const back = (await within(pair.primary.call('echo', value), 5_000, 'echo')) as typeof value;
      assert.deepEqual(back, value);
      assert.ok(back.d instanceof Date && back.m instanceof Map && back.s instanceof Set && back.u instanceof Uint8Array);
      assert.ok(Object.hasOwn(back, 'missing'));
      assertIdle(pair);
    });
  } else {
    it('a Date is refused before sending with RpcUnserializableError naming its path', async (pair) => {
      const sent = pair.primary.stats().callsSent;
      const error = await rejection(pair.primary.call('echo', { at: new Date() }), RpcUnserializableError);
      assert.equal(error.code, 'RPC_UNSERIALIZABLE');
      assert.deepEqual(error.path, ['at']);
      assert.equal(pair.primary.stats().callsSent, sent);
    });
  }
  errorCases(it);
}

function errorCases(it: DeclareCase): void {
  it('an invalid input rejects with RpcValidationError on the input side', async (pair) => {
    const error = await rejection(pair.primary.call('greet', { name: 7 } as never), RpcValidationError);
    assert.equal(error.code, 'RPC_VALIDATION');
    assert.equal(error.method, 'greet');
    assert.equal(error.side, 'input');
    assert.deepEqual(error.issues[0]?.path, ['name']);
    assertIdle(pair);
  });

  it('an invalid handler output rejects with RpcValidationError on the output side', async (pair) => {
    const error = await rejection(pair.primary.call('badOutput'), RpcValidationError);
    assert.equal(error.side, 'output');
    assert.deepEqual(error.issues[0]?.path, ['n']);
    assertIdle(pair);
  });

  it('a thrown Error rejects with RpcRemoteError carrying its name, message and stack', async (pair) => {
    const remoteErrors = pair.primary.stats().remoteErrors;
    const error = await rejection(pair.primary.call('fail', { kind: 'error' }), RpcRemoteError);
    assert.equal(error.code, 'RPC_REMOTE');
    assert.equal(error.remoteName, 'RangeError');
    assert.equal(error.message, 'a range error');
    assert.match(error.remoteStack ?? '', /^RangeError: a range error/);
    assert.equal(pair.primary.stats().remoteErrors - remoteErrors, 1);
    assertIdle(pair);
  });

  it('a thrown Error with a code, own fields and a cause keeps all of them', async (pair) => {
    const error = await rejection(pair.primary.call('fail', { kind: 'coded' }), RpcRemoteError);
    assert.equal(error.remoteCode, 'E_CODED');
    assert.equal(error.data?.['detail'], 42);
    assert.ok(error.cause instanceof RpcRemoteError);
    assert.equal(error.cause.remoteName, 'TypeError');
    assert.equal(error.cause.message, 'the cause');
  });

  for (const [kind, message] of [
    ['string', 'a plain string'],
    ['undefined', 'a non-Error value was thrown: undefined'],
    ['object', 'a non-Error value was thrown: {"reason":"an object","n":1}'],
  ] as const) {
    it(`a thrown ${kind} rejects with RpcRemoteError named NonError`, async (pair) => {
      const error = await rejection(pair.primary.call('fail', { kind }), RpcRemoteError);
      assert.equal(error.remoteName, 'NonError');
      assert.equal(error.message, message);
      assertIdle(pair);
    });
  }

  it('a method the contract does not have rejects with RpcUnknownMethodError without sending', async (pair) => {
    const sent = pair.primary.stats().callsSent;
    const error = await rejection((pair.primary.call as (m: string) => Promise<unknown>)('noSuchMethod'), RpcUnknownMethodError);
    assert.equal(error.code, 'RPC_UNKNOWN_METHOD');
    assert.equal(pair.primary.stats().callsSent, sent);
  });
}
