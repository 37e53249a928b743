// Signals are handled from the moment runHttpCluster is called: a SIGTERM or SIGINT during the
// boot stops the workers started so far and the primary exits 0, with no worker dying on an
// unhandled error (EPIPE) and no process left behind.
import test from 'ava';
import { isAlive, pollUntil, startCluster } from './helpers.js';

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} right after runHttpCluster is called stops the boot and exits 0`, async (t) => {
    const c = await startCluster(t, { WORKERS: '2', SELF_SIGNAL: signal, READY_TIMEOUT: '60000' });
    t.deepEqual(await c.waitExit(60_000), { code: 0, signal: null }, c.stderr);
    t.is(c.linesOf('listening').length, 0, 'the boot never completed');
    t.notRegex(c.stderr, /EPIPE|Unhandled|ERR_IPC/);
    await pollUntil(() => [...c.workerPids].every((pid) => !isAlive(pid)), 10_000, 'every worker to be gone');
  });
}

test('SIGTERM right after runHttpCluster is called with the nats option (its wiring still loading) exits 0', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', SELF_SIGNAL: 'SIGTERM', READY_TIMEOUT: '60000', NATS_UNREACHABLE: '1' });
  t.deepEqual(await c.waitExit(60_000), { code: 0, signal: null }, c.stderr);
  t.is(c.linesOf('listening').length, 0, 'the boot never completed');
  t.notRegex(c.stderr, /EPIPE|Unhandled|ERR_IPC/);
  await pollUntil(() => [...c.workerPids].every((pid) => !isAlive(pid)), 10_000, 'every worker to be gone');
});

test('SIGTERM once the workers are forked but before they are ready stops them and exits 0', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', SLOW_START_SLOT: '0', SLOW_START_MS: '4000', READY_TIMEOUT: '60000' });
  await c.line('fork', 30_000, () => true, 2);
  c.child.kill('SIGTERM');
  t.deepEqual(await c.waitExit(60_000), { code: 0, signal: null }, c.stderr);
  t.is(c.linesOf('listening').length, 0);
  t.notRegex(c.stderr, /EPIPE|Unhandled|ERR_IPC/);
  await pollUntil(() => [...c.workerPids].every((pid) => !isAlive(pid)), 10_000, 'every worker to be gone');
});

test('SIGHUP during the boot is refused with a line, and the boot completes', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', SELF_SIGNAL: 'SIGHUP' });
  const { workers } = await c.listening(60_000);
  t.is(workers.length, 1);
  t.regex(c.stderr, /typed-cluster-rpc: reload: the cluster is still starting/);
});
