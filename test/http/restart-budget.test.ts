// The restart budget is per slot, as the README says: a crash in each of three slots stops
// nothing; one slot's crash loop stops only that slot, and the cluster runs degraded, visible in
// app.health, the `degraded` event and the exit code of the next stop.
import test from 'ava';
import { startCluster } from './helpers.js';

test('one crash in each of three workers with maxRestarts 2: every slot is restarted', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '3', RESTART: JSON.stringify({ initialDelay: 20, maxRestarts: 2 }) });
  const { workers } = await c.listening(120_000);
  for (const [i, w] of workers.entries()) {
    process.kill(w.pid, 'SIGKILL');
    const restarted = await c.line('workerRestarted', 30_000, (l) => l.previousPid === w.pid);
    await c.line('workerReady', 30_000, (l) => l.worker.pid === restarted.worker.pid);
    t.is(restarted.slot, w.slot, `crash ${i + 1}`);
  }
  t.is(c.linesOf('restartsExhausted').length, 0);
  const health = await c.command<{ configured: number; ready: number; degraded: boolean; vacant: unknown[] }>('health');
  t.deepEqual(health, { configured: 3, ready: 3, degraded: false, vacant: [] });
  c.child.kill('SIGTERM');
  t.deepEqual(await c.waitExit(30_000), { code: 0, signal: null });
});

test("one slot's crash loop stops only that slot: the cluster runs degraded, says why, and the next stop exits 1", async (t) => {
  const c = await startCluster(t, {
    READY_TIMEOUT: '60000',
    WORKERS: '2',
    WORKER_MODE: 'crash-after-start',
    CRASH_SLOT: '1',
    CRASH_AFTER_MS: '200',
    RESTART: JSON.stringify({ initialDelay: 20, jitter: 0, maxRestarts: 1 }),
  });
  await c.listening(120_000);
  const degraded = await c.line('degraded', 30_000);
  t.like(degraded.health, { configured: 2, degraded: true });
  t.is(degraded.health.vacant.length, 1);
  t.like(degraded.health.vacant[0], { slot: 1, restarting: false });
  t.regex(degraded.health.vacant[0]!.reason, /restarts stopped: 2 crashes of slot 1 within 60000 ms \(more than restart\.maxRestarts = 1\).*exited with code 7/);
  const [exhausted] = c.linesOf('restartsExhausted');
  t.is(exhausted!.slot, 1);

  const workers = await c.workers();
  t.deepEqual(workers.map((w) => [w.slot, w.state]), [[0, 'ready']], 'slot 0 serves on');
  const health = await c.command<{ ready: number; degraded: boolean }>('health');
  t.like(health, { ready: 1, degraded: true });

  c.child.kill('SIGTERM');
  t.deepEqual(await c.waitExit(30_000), { code: 1, signal: null }, 'a stop after giving up on a slot exits 1');
});

test('maxClusterRestarts stops every restart once the whole cluster crashed more often than that', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', RESTART: JSON.stringify({ initialDelay: 20, maxRestarts: 5, maxClusterRestarts: 1 }) });
  const { workers } = await c.listening(120_000);
  process.kill(workers[0]!.pid, 'SIGKILL');
  const restarted = await c.line('workerRestarted', 30_000);
  await c.line('workerReady', 30_000, (l) => l.worker.pid === restarted.worker.pid);
  process.kill(workers[1]!.pid, 'SIGKILL');
  const exhausted = await c.line('restartsExhausted', 30_000);
  t.is(exhausted.slot, 1);
  t.regex(exhausted.message, /2 crashes of the cluster within 60000 ms \(more than restart\.maxClusterRestarts = 1\)/);
  const degraded = await c.line('degraded', 30_000);
  t.deepEqual(degraded.health.vacant.map((v) => v.slot), [1]);
});
