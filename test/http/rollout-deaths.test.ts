// A rollout survives any death, and the cluster ends with exactly the configured number of
// workers, all known to the supervisor, none orphaned:
// - a new worker that dies while starting: the rollout aborts, the old worker keeps its slot;
// - a new worker that dies once ready: it filled its slot, so the restart policy refills it and
//   the rollout continues;
// - an old worker that crashes while it waits its turn: the restart policy refills its slot (with
//   the new code) and the rollout continues, skipping it;
// - an old worker that crashes while its successor starts: the successor fills the slot, no restart.
import test from 'ava';
import { isAlive, pidOf, pollUntil, startCluster, type Cluster, type WorkerView } from './helpers.js';

const kill = (pid: number): void => void process.kill(pid, 'SIGKILL');

/** The n-th fork after the first `configured` ones (the boot's). */
const forkAfterBoot = (c: Cluster, configured: number, n: number) => c.line('fork', 60_000, () => true, configured + n);

/** Exactly `count` workers, all ready and known, one per slot, and no other forked process still alive. */
async function assertSettled(t: import('ava').ExecutionContext, c: Cluster, count: number): Promise<number[]> {
  let workers: WorkerView[] = [];
  // A restart may still be on its way: wait for its workerReady (bounded) and look again.
  const deadline = performance.now() + 30_000;
  for (;;) {
    workers = await c.workers();
    if (workers.length === count && workers.every((w) => w.state === 'ready')) break;
    if (performance.now() > deadline) throw new Error(`the cluster did not settle on ${count} ready workers: ${JSON.stringify(workers)}`);
    const seen = c.linesOf('workerReady').length;
    await c.line('workerReady', 30_000, () => true, seen + 1).catch(() => undefined);
  }
  t.deepEqual(workers.map((w) => w.slot).sort(), [...Array(count).keys()], 'one worker per slot');
  const known = workers.map((w) => w.pid);
  await pollUntil(() => [...c.workerPids].every((pid) => known.includes(pid) || !isAlive(pid)), 10_000, 'every other forked process to be gone');
  return known;
}

test('a new worker that dies while starting aborts the rollout; the old worker keeps its slot, and nothing is restarted', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', SLOW_START_SLOT: '0', SLOW_START_MS: '2000' });
  const { workers } = await c.listening(120_000);
  const old = workers.map((w) => w.pid);
  const reloading = c.command('reload', {}, 60_000);
  const fresh = await forkAfterBoot(c, 2, 1);
  kill(fresh.pid);
  const error = await t.throwsAsync(reloading);
  t.regex(error!.message, /reload stopped: the new worker for slot 0 failed/);
  const known = await assertSettled(t, c, 2);
  t.deepEqual(known.sort(), [...old].sort(), 'the old workers serve on');
  t.is(c.linesOf('workerRestarted').length, 0);
  // Nothing orphaned: a second reload replaces both old workers.
  await c.command('reload', {}, 60_000);
  const after = await assertSettled(t, c, 2);
  t.true(after.every((pid) => !old.includes(pid)));
  t.false(old.some((pid) => isAlive(pid)));
});

test('a new worker that dies once ready is restarted by the policy and the rollout continues', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', RESTART: JSON.stringify({ initialDelay: 50 }) });
  const { workers } = await c.listening(120_000);
  const old = workers.map((w) => w.pid);
  const reloading = c.command('reload', {}, 60_000);
  const fresh = await forkAfterBoot(c, 2, 1);
  await c.line('workerReady', 30_000, (l) => l.worker.pid === fresh.pid);
  kill(fresh.pid);
  await reloading;
  const restarted = await c.line('workerRestarted', 30_000);
  t.is(restarted.previousPid, fresh.pid);
  t.is(restarted.slot, 0);
  const known = await assertSettled(t, c, 2);
  t.true(known.every((pid) => !old.includes(pid) && pid !== fresh.pid), 'every worker is new');
  t.false(old.some((pid) => isAlive(pid)));
});

test('an old worker that crashes while it waits its turn is refilled by the policy and the rollout continues without it', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', RESTART: JSON.stringify({ initialDelay: 50 }) });
  const { workers } = await c.listening(120_000);
  const waiting = workers.find((w) => w.slot === 1)!.pid;
  const old = workers.map((w) => w.pid);
  const reloading = c.command('reload', {}, 60_000);
  await forkAfterBoot(c, 2, 1); // slot 0's replacement is starting; slot 1 waits its turn
  kill(waiting);
  await reloading;
  const restarted = await c.line('workerRestarted', 30_000, (l) => l.previousPid === waiting);
  t.is(restarted.slot, 1);
  const known = await assertSettled(t, c, 2);
  t.true(known.every((pid) => !old.includes(pid)), 'every worker is new');
  t.is(c.linesOf('fork').length, 4, 'two at boot, one replacement for slot 0, one restart for slot 1');
});

test('an old worker that crashes while its successor starts is not restarted: the successor fills the slot', async (t) => {
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', SLOW_START_SLOT: '0', SLOW_START_MS: '2000', RESTART: JSON.stringify({ initialDelay: 50 }) });
  const { workers, port } = await c.listening(120_000);
  const old = workers.map((w) => w.pid);
  const reloading = c.command('reload', {}, 60_000);
  await forkAfterBoot(c, 2, 1);
  kill(workers.find((w) => w.slot === 0)!.pid);
  await reloading;
  const known = await assertSettled(t, c, 2);
  t.true(known.every((pid) => !old.includes(pid)), 'every worker is new');
  t.is(c.linesOf('workerRestarted').length, 0);
  t.is(c.linesOf('fork').length, 4, 'two at boot and one successor per slot: nothing forked twice');
  t.true(known.includes(await pidOf(port)));
});
