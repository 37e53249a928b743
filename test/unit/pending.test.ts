import test from 'ava';
import { RpcTimeoutError } from '../../src/errors.js';
import { PendingCalls, type PendingCall } from '../../src/endpoint/pending.js';
import { callFrame } from '../../src/protocol/frames.js';

function table(stackFrom?: Function) {
  const expired: PendingCall[] = [];
  const aborted: PendingCall[] = [];
  const calls = new PendingCalls(
    {
      expired: (p) => {
        expired.push(p);
        calls.reject(p, new RpcTimeoutError(p.method, p.timeout));
      },
      aborted: (p) => {
        aborted.push(p);
        calls.abandon(p, p.signal!.reason);
      },
    },
    stackFrom,
  );
  return { calls, expired, aborted };
}

test('ids are unique within a table and differ between tables', (t) => {
  const a = table().calls;
  const b = table().calls;
  const ids = new Set([a.nextId(), a.nextId(), b.nextId()]);
  t.is(ids.size, 3);
});

test('a resolved call leaves the table and its promise resolves with the reply', async (t) => {
  const { calls } = table();
  const frame = callFrame(calls.nextId(), 'm', 1);
  const result = calls.add(frame, 1_000, undefined, undefined);
  t.is(calls.size, 1);
  calls.resolve(calls.get(frame.i)!, 'reply');
  t.is(await result, 'reply');
  t.is(calls.size, 0);
  t.is(calls.get(frame.i), undefined);
});

test('a call past its deadline is handed to the expired hook once, and leaves the table', async (t) => {
  const { calls, expired } = table();
  const result = calls.add(callFrame(calls.nextId(), 'slow', undefined), 20, undefined, undefined);
  // The table's timers are unref'd: hold the process open while the test waits for one.
  const hold = setTimeout(() => {}, 10_000);
  const error = await t.throwsAsync(result, { instanceOf: RpcTimeoutError });
  clearTimeout(hold);
  t.is(error?.code, 'RPC_TIMEOUT');
  t.is(expired.length, 1);
  t.is(calls.size, 0);
});

test('one abort listener serves every call sharing a signal, and is removed when they settle', async (t) => {
  const { calls, aborted } = table();
  const controller = new AbortController();
  const added: string[] = [];
  const removed: string[] = [];
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, ...rest: [never, never]) => (added.push(type), add(type, ...rest))) as typeof add;
  signal.removeEventListener = ((type: string, ...rest: [never, never]) => (removed.push(type), remove(type, ...rest))) as typeof remove;
  const frames = [1, 2, 3].map(() => callFrame(calls.nextId(), 'm', undefined));
  const results = frames.map((f) => calls.add(f, Infinity, signal, undefined));
  t.deepEqual(added, ['abort']);
  calls.resolve(calls.get(frames[0]!.i)!, 'first');
  controller.abort(new Error('stop'));
  t.is(await results[0], 'first');
  for (const r of results.slice(1)) await t.throwsAsync(r, { message: 'stop' });
  t.is(aborted.length, 2);
  t.deepEqual(removed, ['abort']);
});

test('allSettled resolves at once when empty, and when the last call settles', async (t) => {
  const { calls } = table();
  await calls.allSettled();
  const frame = callFrame(calls.nextId(), 'm', undefined);
  const result = calls.add(frame, Infinity, undefined, undefined);
  let done = false;
  const waiting = calls.allSettled().then(() => (done = true));
  await Promise.resolve();
  t.false(done);
  calls.rejectAll(() => new Error('closed'));
  await t.throwsAsync(result, { message: 'closed' });
  await waiting;
  t.true(done);
});

test('with stack capture, a library error is pointed at the line that made the call; an abort reason is left alone', async (t) => {
  function makeCall(calls: PendingCalls, signal?: AbortSignal): Promise<unknown> {
    return calls.add(callFrame(calls.nextId(), 'm', undefined), Infinity, signal, calls.origin());
  }
  const { calls } = table(makeCall);
  const first = makeCall(calls);
  calls.rejectAll((p) => new RpcTimeoutError(p.method, 5));
  const error = await t.throwsAsync(first, { instanceOf: RpcTimeoutError });
  t.regex(error?.stack ?? '', /^RpcTimeoutError: call to "m" timed out after 5 ms\n.*pending\.test\.ts/);
  t.notRegex(error?.stack ?? '', /pending\.ts/);
  const controller = new AbortController();
  const second = makeCall(calls, controller.signal);
  const reason = new RpcTimeoutError('other', 1);
  const stack = reason.stack;
  controller.abort(reason);
  t.is(await second.catch((e: unknown) => e), reason);
  t.is(reason.stack, stack);
});

test('list names each call, its target and its age', (t) => {
  const { calls } = table();
  const frame = callFrame(calls.nextId(), 'm', undefined);
  const result = calls.add(frame, Infinity, undefined, undefined).catch((e: unknown) => e);
  const [entry] = calls.list('the primary');
  t.like(entry, { id: frame.i, method: 'm', target: 'the primary' });
  t.true(entry!.ageMs >= 0);
  calls.rejectAll(() => new Error('done'));
  return result;
});
