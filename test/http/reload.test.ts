// Rolling restart: reload() and SIGHUP replace every worker one at a time under steady load with
// no failed request; a new worker that fails stops the rollout and the old ones keep serving; a
// second reload while one runs joins it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BOUND, Load, pidOf, startCluster, type WorkerView } from './helpers.js';

// Every client request opens a new connection (agent: false); keep-alive clients are in reload-keepalive.test.ts.
for (const how of ['reload()', 'SIGHUP'] as const) {
  test(`${how} under continuous load replaces every worker with zero failed requests`, async (t) => {
    const c = await startCluster(t, { WORKERS: '2', SHUTDOWN_TIMEOUT: '10000', LOAD_REPORT_INTERVAL: '50' });
    const { port, workers } = await c.listening();
    const oldPids = workers.map((w) => w.pid);
    const load = new Load(t, port, '/slow?ms=10', 4);
    await load.more(40, BOUND.reply);

    const before = load.results.length;
    if (how === 'reload()') {
      await c.command('reload', {}, BOUND.boot);
    } else {
      c.child.kill('SIGHUP');
      // Both old workers have drained and exited.
      for (const pid of oldPids) await c.line('workerExited', BOUND.boot, (e) => e.worker.pid === pid);
    }
    await load.more(40, BOUND.reply);
    await load.stop();

    t.deepEqual(load.failures.map((e) => e.message), []);
    for (const r of load.replies) t.is(r.status, 200);
    t.true(load.results.length - before >= 40, 'the load kept flowing through the reload');

    const now = await c.workers();
    t.is(now.length, 2);
    t.true(now.every((w) => w.state === 'ready' && !oldPids.includes(w.pid)));
    t.deepEqual(now.map((w) => w.slot).sort(), [0, 1]);
    t.true(now.every((w) => w.restarts === 0), 'a reload is not a restart');
    const exits = c.linesOf('workerExited');
    t.deepEqual(exits.map((e) => e.worker.pid).sort(), [...oldPids].sort());
    for (const e of exits) t.like(e, { planned: true, code: 0, signal: null });
    t.is(c.linesOf('workerRestarted').length, 0);
    // Replies came from the new workers once the old ones were gone.
    const answeredBy = (await Promise.all([pidOf(port), pidOf(port), pidOf(port)])).filter((pid) => oldPids.includes(pid));
    t.deepEqual(answeredBy, []);
  });
}

test('each new worker is ready before the old one of its slot drains, and the next replacement does not wait for that drain', async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { workers } = await c.listening();
  await c.command('reload', {}, BOUND.boot);
  const at = (what: string): number => {
    const i = c.lines.findIndex((l) =>
      (l.type === 'fork' && what === `fork ${l.pid}`) || (l.type === 'workerReady' && what === `ready ${l.worker.pid}`) || (l.type === 'workerExited' && what === `exit ${l.worker.pid}`),
    );
    t.not(i, -1, what);
    return i;
  };
  const forks = c.linesOf('fork').slice(2).map((l) => l.pid);
  t.is(forks.length, 2, 'one new worker per slot');
  const [oldA, oldB] = workers.map((w) => w.pid);
  const [first, second] = forks;
  // One slot at a time: fork the replacement, wait until it is ready, then retire the old worker.
  t.true(at(`ready ${first}`) < at(`exit ${oldA}`));
  t.true(at(`ready ${first}`) < at(`fork ${second}`), 'the next replacement starts once the previous one is ready');
  t.true(at(`ready ${second}`) < at(`exit ${oldB}`));
  // Every old worker has exited by the time reload() resolved.
  t.deepEqual(c.linesOf('workerExited').map((e) => e.worker.pid).sort(), [oldA, oldB].sort());
});

test('a new worker that fails to start stops the rollout, and the old workers keep serving', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crpc-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const marker = path.join(dir, 'fail');
  const c = await startCluster(t, { WORKERS: '2', FAIL_IF_EXISTS: marker });
  const { port, workers } = await c.listening();
  writeFileSync(marker, '');

  const error = await t.throwsAsync(c.command('reload', {}, BOUND.boot));
  t.regex(error!.message, /reload stopped: the new worker for slot 0 failed .*the reload marker says fail.*the old workers keep serving/);
  const now = await c.workers();
  t.deepEqual(now.map((w) => w.pid).sort(), workers.map((w) => w.pid).sort());
  t.true(now.every((w) => w.state === 'ready'));
  t.is(c.linesOf('workerRestarted').length, 0, 'the failed replacement is not restarted');
  const pids = new Set<number>();
  for (let i = 0; i < 4; i++) pids.add(await pidOf(port));
  t.deepEqual([...pids].sort(), workers.map((w) => w.pid).sort());
});

test('a second reload while one runs joins it: each slot is replaced once', async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { workers } = await c.listening();
  const [a, b] = await Promise.all([c.command<WorkerView[]>('reload', {}, BOUND.boot), c.command<WorkerView[]>('reload', {}, BOUND.boot)]);
  t.deepEqual(a!.map((w) => w.pid).sort(), b!.map((w) => w.pid).sort());
  t.is(c.linesOf('fork').length, 4, 'two workers at start, one replacement per slot');
  t.deepEqual(
    c.linesOf('workerExited').map((e) => e.worker.pid).sort(),
    workers.map((w) => w.pid).sort(),
  );
});
