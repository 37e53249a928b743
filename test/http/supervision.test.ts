// Supervision: a crashed worker is replaced (with events and states to show it), a crash loop backs
// off and gives up with a clear message, a worker whose event loop blocks is killed and replaced.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BOUND, get, isAlive, Load, pidOf, startCluster } from './helpers.js';

test('a worker SIGKILLed under load is replaced and the cluster returns to N workers', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', LOAD_REPORT_INTERVAL: '50', RESTART: JSON.stringify({ initialDelay: 50, jitter: 0 }) });
  const { port, workers } = await c.listening();
  const victim = workers[0]!;

  // Steady load: 4 clients, each one request at a time on a new connection.
  const load = new Load(t, port, '/slow?ms=20', 4);
  await load.more(20, BOUND.reply);

  process.kill(victim.pid, 'SIGKILL');
  const exited = await c.line('workerExited', BOUND.reply, (e) => e.worker.pid === victim.pid);
  t.like(exited, { planned: false, code: null, signal: 'SIGKILL', reason: 'was killed by SIGKILL' });
  const restarted = await c.line('workerRestarted', BOUND.reply, (e) => e.previousPid === victim.pid);
  t.is(restarted.slot, victim.slot);
  t.is(restarted.worker.restarts, 1);
  const ready = await c.line('workerReady', BOUND.process, (e) => e.worker.id === restarted.worker.id);
  t.is(ready.worker.slot, victim.slot);

  // Load keeps flowing through the replacement too.
  await load.more(20, BOUND.reply);
  await load.stop();

  const now = await c.workers();
  t.is(now.length, 2);
  t.true(now.every((w) => w.state === 'ready'));
  t.false(now.some((w) => w.pid === victim.pid));
  t.deepEqual(now.map((w) => w.slot).sort(), [0, 1]);
  t.deepEqual(now.find((w) => w.slot === victim.slot)?.restarts, 1);
  t.false(isAlive(victim.pid));
  // Only requests caught on the killed worker can have failed; every reply that came is a 200.
  t.true(load.replies.length >= 40);
  for (const r of load.replies) t.is(r.status, 200);
  t.true(load.failures.length <= 4, `at most the killed worker's in-flight requests failed, got ${load.failures.length}`);
});

test('a crash-looping worker backs off, then gives up with a message naming the exit code, and the primary exits 1', async (t) => {
  const c = await startCluster(t, {
    WORKERS: '1',
    WORKER_MODE: 'crash-after-start',
    CRASH_CODE: '7',
    CRASH_AFTER_MS: '200',
    RESTART: JSON.stringify({ initialDelay: 100, factor: 2, jitter: 0, maxRestarts: 3, window: 60_000 }),
  });
  await c.listening();
  // Four workers boot one after another here: on a loaded machine each can take many seconds.
  const exit = await c.waitExit(100_000);
  t.deepEqual(exit, { code: 1, signal: null });

  // Backoff: each restart waited twice as long as the one before.
  t.deepEqual(
    c.linesOf('workerRestarted').map((r) => r.delayMs),
    [100, 200, 400],
  );
  const crashes = c.linesOf('workerExited');
  t.is(crashes.length, 4);
  for (const e of crashes) t.like(e, { planned: false, code: 7, signal: null, reason: 'exited with code 7' });

  const [exhausted, ...more] = c.linesOf('restartsExhausted');
  t.is(more.length, 0);
  t.is(exhausted!.crashes, 4);
  t.regex(exhausted!.message, /4 crashes of slot 0 within 60000 ms \(more than restart\.maxRestarts = 3\); not restarting slot 0/);
  t.regex(exhausted!.message, /exited with code 7/);
  t.true(c.stderr.includes(exhausted!.message), `stderr: ${c.stderr}`);
  t.deepEqual(c.linesOf('stopped'), [{ type: 'stopped', code: 1 }]);
  for (const pid of c.workerPids) t.false(isAlive(pid));
});

test('a crash loop by signal is reported with the signal name', async (t) => {
  const c = await startCluster(t, {
    WORKERS: '1',
    WORKER_MODE: 'crash-after-start',
    CRASH_SIGNAL: 'SIGABRT',
    CRASH_AFTER_MS: '200',
    RESTART: JSON.stringify({ initialDelay: 20, jitter: 0, maxRestarts: 1 }),
  });
  await c.listening();
  const exit = await c.waitExit(BOUND.boot);
  t.is(exit.code, 1);
  t.regex(c.stderr, /2 crashes of slot 0 within 60000 ms .*The last worker \(pid \d+\) was killed by SIGABRT\./);
});

test('a worker whose event loop blocks misses the heartbeat, gets no new connections, and is killed and replaced', async (t) => {
  // Reports every 250 ms (stale after 750 ms) and a 4 s heartbeat timeout: far enough apart that a
  // busy machine delaying the healthy worker's reports does not make it look blocked too.
  const c = await startCluster(t, { WORKERS: '2', HEARTBEAT_INTERVAL: '100', HEARTBEAT_TIMEOUT: '4000', LOAD_REPORT_INTERVAL: '250', RESTART: JSON.stringify({ initialDelay: 50 }) });
  const { port, workers } = await c.listening();
  // The worker that answers this blocks its event loop right after, far longer than the heartbeat timeout.
  const blockedPid = await pidOf(port, '/then-block?ms=60000');
  const otherPid = workers.find((w) => w.pid !== blockedPid)!.pid;
  // Once its last report is stale (older than 3 report intervals; the other worker's reports mark
  // the time), no new connection goes to it: they go to the other worker (or, should the kill come
  // first on a slow machine, to its replacement).
  for (let i = 0; i < 5; i++) await c.command('awaitLoad', { pid: otherPid });
  const answeredBy: number[] = [];
  for (let i = 0; i < 5; i++) answeredBy.push(await pidOf(port));
  t.deepEqual(answeredBy.filter((pid) => pid === blockedPid), []);

  const exited = await c.line('workerExited', BOUND.reply, (e) => e.planned === false);
  t.is(exited.worker.pid, blockedPid);
  t.is(exited.signal, 'SIGKILL');
  t.regex(exited.reason, /did not answer the heartbeat within 4000 ms/);

  const restarted = await c.line('workerRestarted', BOUND.reply, (e) => e.previousPid === blockedPid);
  await c.line('workerReady', BOUND.process, (e) => e.worker.id === restarted.worker.id);
  const now = await c.workers();
  t.is(now.length, 2);
  t.true(now.every((w) => w.state === 'ready'));
  t.is((await get(port, '/')).status, 200);
});

test('app.workers shows each worker with id, pid, slot, state, restarts and its latest load', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', LOAD_REPORT_INTERVAL: '50' });
  const { port, workers } = await c.listening();
  t.is(workers.length, 2);
  t.deepEqual(workers.map((w) => w.slot).sort(), [0, 1]);
  for (const w of workers) {
    t.is(w.state, 'ready');
    t.is(w.restarts, 0);
    t.true(Number.isInteger(w.pid) && w.pid > 0);
    t.true(Number.isInteger(w.id));
  }

  for (let i = 0; i < 6; i++) t.is((await get(port, '/')).status, 200);
  for (const w of workers) await c.command('awaitLoad', { pid: w.pid, min: 0 });
  const now = await c.workers();
  const handled = now.reduce((sum, w) => sum + (w.load?.handled ?? 0), 0);
  t.is(handled, 6);
  for (const w of now) t.is(typeof w.load?.eventLoopDelayP99Ms, 'number');
});

test('workerExited says planned for a reload and not for a crash; workerRestarted follows only the crash', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', RESTART: JSON.stringify({ initialDelay: 20 }) });
  const { workers } = await c.listening();
  const first = workers[0]!;
  await c.command('reload', {}, BOUND.boot);
  const planned = await c.line('workerExited', BOUND.reply, (e) => e.worker.pid === first.pid);
  t.like(planned, { planned: true, code: 0, signal: null });
  t.is(c.linesOf('workerRestarted').length, 0);

  const [second] = await c.workers();
  process.kill(second!.pid, 'SIGKILL');
  const crash = await c.line('workerExited', BOUND.reply, (e) => e.worker.pid === second!.pid);
  t.like(crash, { planned: false, signal: 'SIGKILL' });
  t.is(crash.worker.state, 'gone');
  const restarted = await c.line('workerRestarted', BOUND.reply);
  t.is(restarted.previousPid, second!.pid);
  t.is(restarted.worker.state, 'starting');
  const ready = await c.line('workerReady', BOUND.process, (e) => e.worker.id === restarted.worker.id);
  t.like(ready.worker, { state: 'ready', restarts: 1, slot: 0 });
});

test('a worker that crashes after it was ready, while the others are still starting, is restarted', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crpc-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Slot 0 crashes 200 ms after it started; slot 1 takes 1.5 s more to start, so the crash falls within the boot.
  const c = await startCluster(t, {
    WORKERS: '2',
    CRASH_ONCE_MARKER: path.join(dir, 'crashed'),
    CRASH_AFTER_MS: '200',
    SLOW_START_SLOT: '1',
    SLOW_START_MS: '1500',
    RESTART: JSON.stringify({ initialDelay: 20 }),
  });
  const { workers } = await c.listening();
  // The crash and the restart happened before runHttpCluster resolved, so before the fixture
  // could listen to events: what shows is a third fork and a slot 0 with one restart.
  t.is(c.linesOf('fork').length, 3);
  const slot0 = workers.find((w) => w.slot === 0)!;
  t.is(slot0.restarts, 1);
  if (slot0.state !== 'ready') await c.line('workerReady', BOUND.process, (e) => e.worker.id === slot0.id);
  const now = await c.workers();
  t.deepEqual(now.map((w) => [w.slot, w.state, w.restarts]).sort(), [
    [0, 'ready', 1],
    [1, 'ready', 0],
  ]);
});
