// The conformance cases about timeouts, cancellation and close.
import assert from 'node:assert/strict';
import { RpcClosedError, RpcTimeoutError } from '../errors.js';
import { assertIdle, noThrow, rejection, within, type ConformanceCaller, type DeclareCase } from './conformance-kit.js';

/** Waits (bounded) until the worker's `cancelled` list has grown; returns the new entries. */
async function cancelledGains(primary: ConformanceCaller, before: readonly string[], entry: string): Promise<string[]> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const now = await within(primary.call('cancelled'), 5_000, 'cancelled');
    if (now.length > before.length) return now.slice(before.length);
    if (performance.now() > deadline) throw new Error(`the worker never recorded ${entry}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function lifecycleCases(it: DeclareCase): void {
  timeoutCases(it);
  cancelCases(it);
  closeCases(it);
}

function timeoutCases(it: DeclareCase): void {
  it('a call that gets no reply rejects with RpcTimeoutError after its timeout', async (pair) => {
    const timeouts = pair.primary.stats().timeouts;
    const started = performance.now();
    const error = await rejection(within(pair.primary.call('hang', undefined, { timeout: 100 }), 5_000, 'hang'), RpcTimeoutError);
    const elapsed = performance.now() - started;
    assert.equal(error.code, 'RPC_TIMEOUT');
    assert.equal(error.method, 'hang');
    assert.equal(error.timeout, 100);
    assert.ok(elapsed >= 95 && elapsed < 5_000, `after ${elapsed} ms`);
    assert.equal(pair.primary.stats().timeouts - timeouts, 1);
    assertIdle(pair);
  });

  it("a timeout aborts the remote handler's signal with RpcTimeoutError", async (pair) => {
    const before = await pair.primary.call('cancelled');
    await rejection(within(pair.primary.call('sleep', { ms: 10_000 }, { timeout: 100 }), 5_000, 'sleep'), RpcTimeoutError);
    assert.deepEqual(await cancelledGains(pair.primary, before, 'sleep:RpcTimeoutError'), ['sleep:RpcTimeoutError']);
    if (pair.worker !== undefined) assert.equal(pair.worker.stats().handling, 0);
    assertIdle(pair);
  });

  it('a per-call timeout longer than the work lets the call finish', async (pair) => {
    const timeouts = pair.primary.stats().timeouts;
    assert.deepEqual(await within(pair.primary.call('sleep', { ms: 20 }, { timeout: 1_000 }), 5_000, 'sleep'), { aborted: false });
    assert.equal(pair.primary.stats().timeouts, timeouts);
    assertIdle(pair);
  });

  it('an invalid timeout is a rejected TypeError, never a synchronous throw', async (pair) => {
    const sent = pair.primary.stats().callsSent;
    await rejection(noThrow(() => pair.primary.call('greet', { name: 'x' }, { timeout: -1 })), TypeError);
    assert.equal(pair.primary.stats().callsSent, sent);
  });
}

function cancelCases(it: DeclareCase): void {
  it("aborting the caller's signal rejects with its reason at once", async (pair) => {
    const controller = new AbortController();
    const reason = new Error('gave up');
    const call = pair.primary.call('hang', undefined, { signal: controller.signal });
    controller.abort(reason);
    assert.equal(await rejection(within(call, 5_000, 'hang')), reason);
    assertIdle(pair);
  });

  it('an already-aborted signal rejects without sending', async (pair) => {
    const sent = pair.primary.stats().callsSent;
    const reason = new Error('before');
    assert.equal(await rejection(pair.primary.call('greet', { name: 'x' }, { signal: AbortSignal.abort(reason) })), reason);
    assert.equal(pair.primary.stats().callsSent, sent);
  });

  it("aborting the caller's signal aborts the remote handler's signal with RpcAbortedError", async (pair) => {
    const before = await pair.primary.call('cancelled');
    const controller = new AbortController();
    const call = pair.primary.call('sleep', { ms: 10_000 }, { signal: controller.signal });
    await pair.primary.call('greet', { name: 'x' }); // sent after it: the sleep call has arrived
    controller.abort(new Error('stop'));
    assert.equal((await rejection<Error>(call)).message, 'stop');
    assert.deepEqual(await cancelledGains(pair.primary, before, 'sleep:RpcAbortedError'), ['sleep:RpcAbortedError']);
    if (pair.worker !== undefined) assert.equal(pair.worker.stats().handling, 0);
    assertIdle(pair);
  });
}

function closeCases(it: DeclareCase): void {
  it('closing rejects the calls in flight with RpcClosedError at once', async (pair) => {
    const pending = [pair.primary.call('hang'), pair.primary.call('sleep', { ms: 10_000 })];
    await pair.primary.call('greet', { name: 'x' });
    const started = performance.now();
    await pair.close();
    for (const call of pending) {
      const error = await rejection(within(call, 5_000, 'pending call'), RpcClosedError);
      assert.equal(error.code, 'RPC_CLOSED');
    }
    assert.ok(performance.now() - started < 5_000, 'at once, not after a timeout');
    assertIdle(pair);
  });

  it('after closing, a call rejects at once with RpcClosedError', async (pair) => {
    await pair.primary.call('greet', { name: 'x' });
    await pair.close();
    const sent = pair.primary.stats().callsSent;
    const error = await rejection(within(noThrow(() => pair.primary.call('greet', { name: 'y' })), 5_000, 'greet'), RpcClosedError);
    assert.equal(error.code, 'RPC_CLOSED');
    assert.equal(pair.primary.stats().callsSent, sent);
  });
}
