// hub.broadcast over real workers: one settled entry per worker, by the deadline, whatever each does.
import test from 'ava';
import { RpcPeerExitedError, RpcRemoteError, RpcTimeoutError } from '../../src/index.js';
import { BOUND, startHub, withTimeout } from './helpers.js';

test('a broadcast where one worker is slow and one throws resolves one entry per worker in order by its deadline', async (t) => {
  const { hub, fork, logs } = startHub(t);
  const healthy = fork({ FIXTURE_ROLE: 'ok' }, 'int-worker.ts');
  const slow = fork({ FIXTURE_ROLE: 'slow' }, 'int-worker.ts');
  const throwing = fork({ FIXTURE_ROLE: 'throw' }, 'int-worker.ts');
  await Promise.all([healthy, slow, throwing].map((h) => logs.ready(h)));
  // The deadline gives the healthy workers time to answer on a busy machine; the slow one never does.
  const started = performance.now();
  const entries = await withTimeout(hub.broadcast('stats', undefined, { timeout: 5_000 }), BOUND.reply, 'the broadcast');
  t.true(performance.now() - started < BOUND.reply);
  t.deepEqual(entries.map((e) => e.worker.id), [healthy.id, slow.id, throwing.id]);
  t.deepEqual(entries.map((e) => e.status), ['fulfilled', 'rejected', 'rejected']);
  const [ok, timedOut, threw] = entries;
  if (ok?.status !== 'fulfilled' || timedOut?.status !== 'rejected' || threw?.status !== 'rejected') return t.fail();
  t.is(ok.value.pid as number | undefined, healthy.pid);
  t.deepEqual(ok.worker, { id: healthy.id, pid: healthy.pid });
  t.true(timedOut.reason instanceof RpcTimeoutError, String(timedOut.reason));
  t.like(timedOut.reason, { code: 'RPC_TIMEOUT', method: 'stats', timeout: 5_000 });
  t.true(threw.reason instanceof RpcRemoteError, String(threw.reason));
  t.like(threw.reason, { code: 'RPC_REMOTE', method: 'stats', remoteName: 'TypeError', message: `worker ${throwing.pid} refuses` });
  for (const e of entries) t.true(typeof e.ms === 'number' && e.ms >= 0 && e.ms < BOUND.reply);
  t.true(timedOut.ms >= 4_900, `the timed-out entry took ${timedOut.ms} ms`);
  t.is(hub.stats().inFlight, 0);
});

test('a broadcast with no workers resolves to an empty array', async (t) => {
  const { hub } = startHub(t);
  t.deepEqual(await withTimeout(hub.broadcast('stats'), BOUND.reply, 'an empty broadcast'), []);
});

test('a worker forked after a broadcast started is not in it', async (t) => {
  const { hub, fork, logs } = startHub(t);
  const first = fork();
  await logs.ready(first);
  const broadcast = hub.broadcast('sleep', { ms: 200 });
  const second = fork();
  const entries = await withTimeout(broadcast, BOUND.reply, 'the broadcast');
  t.deepEqual(entries.map((e) => [e.worker.id, e.status]), [[first.id, 'fulfilled']]);
  await logs.ready(second);
  t.deepEqual(hub.workers.map((h) => h.id), [first.id, second.id]);
});

test('a worker that dies during a broadcast gets a rejected entry with RPC_PEER_EXITED', async (t) => {
  const { hub, fork, logs } = startHub(t);
  const healthy = fork({ FIXTURE_ROLE: 'ok' }, 'int-worker.ts');
  const dying = fork({ FIXTURE_ROLE: 'die' }, 'int-worker.ts');
  await Promise.all([healthy, dying].map((h) => logs.ready(h)));
  const entries = await withTimeout(hub.broadcast('stats', undefined, { timeout: 20_000 }), BOUND.reply, 'the broadcast');
  t.deepEqual(entries.map((e) => [e.worker.id, e.status]), [
    [healthy.id, 'fulfilled'],
    [dying.id, 'rejected'],
  ]);
  const dead = entries[1];
  if (dead?.status !== 'rejected') return t.fail();
  t.true(dead.reason instanceof RpcPeerExitedError, String(dead.reason));
  t.like(dead.reason, { code: 'RPC_PEER_EXITED', workerId: dying.id, signal: 'SIGKILL', sent: true });
  t.deepEqual(hub.workers.map((h) => h.id), [healthy.id]);
});
