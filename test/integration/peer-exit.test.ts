// A worker that dies with calls pending: every call rejects at once, and says whether it had left.
import test from 'ava';
import { RpcNoWorkerError, RpcPeerExitedError } from '../../src/index.js';
import { BOUND, runFixture, settle, startHub, waitForExit, waitForMessage, withTimeout } from './helpers.js';

test('a worker killed with SIGKILL rejects its 100 pending calls with RPC_PEER_EXITED well before their timeout', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  const { fork, logs } = startHub(t);
  const handle = fork();
  await logs.ready(handle);
  const calls = Array.from({ length: 100 }, () => settle(handle.call('hang', undefined, { timeout: 120_000 })));
  // Calls arrive in order: once this one is answered, the 100 before it have reached the worker.
  await withTimeout(handle.call('stats'), BOUND.reply, 'a stats call behind the 100 hanging ones');
  t.is(handle.stats().inFlight, 100);
  const killedAt = performance.now();
  handle.worker.process.kill('SIGKILL');
  const results = await withTimeout(Promise.all(calls), BOUND.reply, 'the 100 pending calls to reject after SIGKILL');
  t.true(performance.now() - killedAt < BOUND.reply);
  for (const r of results) {
    t.false(r.ok);
    if (r.ok) continue;
    t.true(r.error instanceof RpcPeerExitedError, String(r.error));
    const e = r.error as RpcPeerExitedError;
    t.like(e, { code: 'RPC_PEER_EXITED', workerId: handle.id, signal: 'SIGKILL', exitCode: null, sent: true });
  }
  t.is(handle.stats().inFlight, 0);
  t.deepEqual(warnings.filter((w) => /EPIPE|ERR_IPC_CHANNEL_CLOSED/.test(`${w.message} ${String((w as { code?: unknown }).code)}`)), []);
});

test('a call to a worker that has exited rejects at once with RPC_NO_WORKER and the hub no longer lists it', async (t) => {
  const { hub, fork, logs } = startHub(t);
  const handle = fork();
  await logs.ready(handle);
  t.deepEqual(hub.workers.map((h) => h.id), [handle.id]);
  handle.worker.process.kill('SIGKILL');
  t.like(await waitForExit(handle.worker), { code: null, signal: 'SIGKILL' });
  // The exit event the hub listens to was emitted before ours resolved.
  const startedAt = performance.now();
  const error = await t.throwsAsync(withTimeout(handle.call('stats', undefined, { timeout: 120_000 }), BOUND.reply, 'a call to a dead worker'), {
    instanceOf: RpcNoWorkerError,
  });
  t.is(error?.code, 'RPC_NO_WORKER');
  t.false(error?.sent, 'never sent: safe to retry elsewhere');
  t.true(performance.now() - startedAt < 5_000);
  t.false(handle.isConnected);
  t.deepEqual(hub.workers, []);
  t.is(hub.worker(handle.id), undefined);
  t.deepEqual(await hub.broadcast('stats'), []);
});

test('calls queued for a worker that never completed its handshake reject with sent false when it dies', async (t) => {
  const { fork } = startHub(t);
  const handle = fork({}, 'int-silent-worker.ts');
  // The worker runs but never listens for RPC: the calls cannot leave this process.
  await waitForMessage(handle.worker, (m) => m?.type === 'up', BOUND.process, 'the silent worker to start');
  const calls = Array.from({ length: 10 }, (_, i) => settle(handle.call('greet', { name: `n${i}` }, { timeout: 120_000 })));
  t.is(handle.stats().inFlight, 10);
  handle.worker.process.kill('SIGKILL');
  const results = await withTimeout(Promise.all(calls), BOUND.reply, 'the queued calls to reject');
  for (const r of results) {
    t.false(r.ok);
    if (r.ok) continue;
    t.true(r.error instanceof RpcPeerExitedError, String(r.error));
    t.like(r.error as RpcPeerExitedError, { code: 'RPC_PEER_EXITED', workerId: handle.id, signal: 'SIGKILL', sent: false });
  }
});

test('calls made to a worker killed in the same tick as its fork reject with sent false', async (t) => {
  const { fork } = startHub(t);
  const handle = fork({ FIXTURE_READY: 'no' });
  const calls = Array.from({ length: 10 }, () => settle(handle.call('stats', undefined, { timeout: 120_000 })));
  handle.worker.process.kill('SIGKILL');
  const results = await withTimeout(Promise.all(calls), BOUND.reply, 'the queued calls to reject');
  for (const r of results) {
    t.false(r.ok);
    if (r.ok) continue;
    t.true(r.error instanceof RpcPeerExitedError, String(r.error));
    t.like(r.error as RpcPeerExitedError, { code: 'RPC_PEER_EXITED', workerId: handle.id, sent: false });
  }
});

test('a primary whose workers are killed mid-traffic prints no ERR_IPC_CHANNEL_CLOSED or EPIPE and throws nothing', async (t) => {
  const primary = runFixture(t, 'int-primary-kill.ts');
  const summary = await primary.nextJson<{
    hangCodes: Record<string, number>;
    codes: Record<string, number>;
    thrown: string[];
    after: string[];
    broadcastAfter: number;
    workers: number;
  }>(BOUND.boot, 'the summary');
  t.like(await primary.exited(BOUND.reply), { code: 0, signal: null });
  t.deepEqual(summary.hangCodes, { RPC_PEER_EXITED: 300 });
  t.deepEqual(Object.keys(summary.codes).filter((c) => c !== 'RPC_PEER_EXITED' && c !== 'RPC_NO_WORKER'), []);
  t.deepEqual(summary.thrown, []);
  t.deepEqual(summary.after, ['RPC_NO_WORKER', 'RPC_NO_WORKER', 'RPC_NO_WORKER']);
  t.is(summary.broadcastAfter, 0);
  t.is(summary.workers, 0);
  t.notRegex(primary.stderr(), /ERR_IPC_CHANNEL_CLOSED|EPIPE|ECONNRESET|Error|Warning/, primary.stderr());
});
