// Coordinated shutdown: SIGTERM drains in-flight requests and exits 0; a handler that never finishes
// is killed at the deadline (exit 1); a second SIGINT forces exit 130; app.close(); no orphan when
// the primary is SIGKILLed.
import net from 'node:net';
import test from 'ava';
import { BOUND, get, hold, isAlive, pidOf, pollUntil, pollUntilAsync, startCluster, tryConnect, withTimeout } from './helpers.js';

test('SIGTERM with 50 slow requests in flight: all complete with 200, no new connection is accepted, exit 0 within the deadline', async (t) => {
  // Generous: the drain of fifty 5 s requests must fit well within it even on a busy machine.
  const shutdownTimeout = 30_000;
  const c = await startCluster(t, { WORKERS: '2', SHUTDOWN_TIMEOUT: String(shutdownTimeout), LOAD_REPORT_INTERVAL: '50' });
  const { port } = await c.listening();

  let done = 0;
  const requests = Array.from({ length: 50 }, () => get(port, '/slow?ms=5000', BOUND.process).finally(() => done++));
  // Every one of the 50 has reached a worker's handler (the workers' load reports say so).
  await c.command('awaitTotalInFlight', { min: 50 });

  const signalledAt = performance.now();
  c.child.kill('SIGTERM');
  // Closing the listening socket is the first step of the stop; nothing announces it, so poll (bounded).
  await pollUntilAsync(async () => (await tryConnect(port)) === 'ECONNREFUSED', BOUND.reply, 'the listening socket to close', 20);
  t.is(done, 0, 'the port closed while the 50 were still in flight');
  t.false(c.exited);

  const replies = await withTimeout(Promise.all(requests), BOUND.process, 'the 50 slow replies');
  t.is(replies.length, 50);
  for (const reply of replies) t.is(reply.status, 200);
  // Each response told its client not to reuse the connection.
  for (const reply of replies) t.is(reply.headers.connection, 'close');

  const exit = await c.waitExit(shutdownTimeout + 5_000);
  t.deepEqual(exit, { code: 0, signal: null }, c.stderr);
  t.true(performance.now() - signalledAt < shutdownTimeout, 'the primary exited within the deadline');
  t.is(await tryConnect(port), 'ECONNREFUSED');

  const exits = c.linesOf('workerExited');
  t.is(exits.length, 2);
  for (const e of exits) t.like(e, { planned: true, code: 0, signal: null });
  t.deepEqual(c.linesOf('stopped'), [{ type: 'stopped', code: 0 }]);
});

test('a handler that never finishes is cut off at the shutdown deadline, the stop says so per worker, and the primary exits 1', async (t) => {
  const shutdownTimeout = 1_500;
  const c = await startCluster(t, { WORKERS: '2', SHUTDOWN_TIMEOUT: String(shutdownTimeout), LOAD_REPORT_INTERVAL: '50' });
  const { port } = await c.listening();
  const hanging = get(port, '/hang', 30_000).then(
    (r) => `answered ${r.status}`,
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );
  await c.command('awaitTotalInFlight', { min: 1 });

  const signalledAt = performance.now();
  c.child.kill('SIGTERM');
  const exit = await c.waitExit(shutdownTimeout + BOUND.reply);
  const tookMs = performance.now() - signalledAt;
  t.deepEqual(exit, { code: 1, signal: null }, c.stderr);
  t.true(tookMs >= shutdownTimeout - 100, `waited for the deadline (${Math.round(tookMs)} ms)`);

  // The hanging request's connection was cut, not left open.
  t.is(await withTimeout(hanging, BOUND.reply, 'the hanging request to end'), 'ECONNRESET');
  const exits = c.linesOf('workerExited');
  t.is(exits.length, 2);
  // The worker's own drain ends at the deadline: it answers what it drained and cut off, and exits 1.
  const forced = exits.filter((e) => e.code !== 0);
  t.is(forced.length, 1, 'only the worker with the hanging request was cut off');
  t.like(forced[0], { planned: true, code: 1, signal: null });
  const [event, ...more] = c.linesOf('stopForced');
  t.is(more.length, 0);
  t.is(event!.deadlineMs, shutdownTimeout);
  t.deepEqual(event!.workers.map((w) => ({ pid: w.worker.pid, cutOff: w.cutOff, killed: w.killed })), [{ pid: forced[0]!.worker.pid, cutOff: 1, killed: false }]);
  t.regex(c.stderr, new RegExp(`worker \\d+ \\(pid ${forced[0]!.worker.pid}, slot \\d\\) was stopped at the shutdown deadline \\(1500 ms\\): 0 requests drained, 1 cut off`));
  t.deepEqual(c.linesOf('stopped'), [{ type: 'stopped', code: 1 }]);
  for (const pid of c.workerPids) t.false(isAlive(pid));
});

test('a worker whose event loop is blocked past the deadline is killed, and the stop says it never answered', async (t) => {
  const shutdownTimeout = 1_500;
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', SHUTDOWN_TIMEOUT: String(shutdownTimeout), LOAD_REPORT_INTERVAL: '50', HEARTBEAT_TIMEOUT: '60000' });
  const { port } = await c.listening(120_000);
  // That worker answers, then blocks its event loop for far longer than the deadline and its grace.
  const blockedPid = await pidOf(port, '/then-block?ms=120000');
  // Its block starts 5 ms after its answer: let the other worker report a few times first, so the
  // shutdown cannot reach it before it blocks.
  const otherPid = (await c.workers()).find((w) => w.pid !== blockedPid)!.pid;
  for (let i = 0; i < 5; i++) await c.command('awaitLoad', { pid: otherPid });
  c.child.kill('SIGTERM');
  t.deepEqual(await c.waitExit(shutdownTimeout + 20_000), { code: 1, signal: null }, c.stderr);
  const [event] = c.linesOf('stopForced');
  t.is(event!.workers.length, 1);
  t.like(event!.workers[0], { killed: true, clean: false });
  t.is(event!.workers[0]!.worker.pid, blockedPid);
  t.is(event!.workers[0]!.drained, undefined, 'it never answered');
  t.regex(c.stderr, /worker \d+ \(pid \d+, slot \d\) was killed 1000 ms past the shutdown deadline \(1500 ms\): it never answered/);
  for (const pid of c.workerPids) t.false(isAlive(pid));
});

test('a second SIGINT during the drain stops at once with exit code 130', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', SHUTDOWN_TIMEOUT: '30000', LOAD_REPORT_INTERVAL: '50' });
  const { port } = await c.listening();
  const held = await hold(t, port);
  await c.command('awaitLoad', { pid: held.pid, min: 1 });

  c.child.kill('SIGINT');
  // The idle worker drains at once; the one holding a request waits for it, 'draining'.
  const idle = await c.line('workerExited', BOUND.reply, (e) => e.worker.pid !== held.pid);
  t.like(idle, { planned: true, code: 0 });
  t.is(idle.worker.state, 'gone');
  t.deepEqual((await c.workers()).map((w) => [w.pid, w.state]), [[held.pid, 'draining']]);
  t.false(c.exited);
  c.child.kill('SIGINT');
  const exit = await c.waitExit(BOUND.reply);
  t.deepEqual(exit, { code: 130, signal: null }, c.stderr);
  await pollUntil(() => !isAlive(held.pid), BOUND.reply, 'the held worker to be gone');
  t.pass();
});

test('a second SIGTERM during the drain stops at once with exit code 143', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', SHUTDOWN_TIMEOUT: '30000', LOAD_REPORT_INTERVAL: '50' });
  const { port } = await c.listening();
  const held = await hold(t, port);
  await c.command('awaitLoad', { pid: held.pid, min: 1 });
  c.child.kill('SIGTERM');
  await tryConnect(port); // a round trip: the first signal has been handled by now
  c.child.kill('SIGTERM');
  const exit = await c.waitExit(BOUND.reply);
  t.deepEqual(exit, { code: 143, signal: null }, c.stderr);
  await pollUntil(() => !isAlive(held.pid), BOUND.reply, 'the held worker to be gone');
  t.pass();
});

test('app.close() drains the workers and the primary exits 0', async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { port } = await c.listening();
  t.is((await get(port, '/')).status, 200);
  const code = await c.command<number>('close');
  t.is(code, 0);
  const exit = await c.waitExit(BOUND.process);
  t.deepEqual(exit, { code: 0, signal: null }, c.stderr);
  const exits = c.linesOf('workerExited');
  t.is(exits.length, 2);
  for (const e of exits) t.like(e, { planned: true, code: 0, signal: null });
});

test('SIGKILL of the primary leaves no worker process behind', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', LOAD_REPORT_INTERVAL: '50' });
  const { port, workers } = await c.listening();
  const pids = workers.map((w) => w.pid);
  t.is(pids.length, 2);
  // One worker is busy with a request that never ends, so it does not exit for lack of work.
  const held = await hold(t, port);
  t.true(pids.includes(held.pid));

  c.child.kill('SIGKILL');
  t.deepEqual(await c.waitExit(BOUND.reply), { code: null, signal: 'SIGKILL' });
  // Not our children: no exit event reaches us, so poll (bounded) for their death.
  await pollUntil(() => pids.every((pid) => !isAlive(pid)), BOUND.reply, `workers ${pids.join(', ')} to exit after their primary`);
  t.pass();
});

test('a connection handed to a worker just before the drain, whose request comes after, still gets its answer', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', REPORT_CONNECTIONS: '1', SHUTDOWN_TIMEOUT: '10000' });
  const { port, workers } = await c.listening();
  const worker = workers[0]!;
  // A connection that has not sent a byte yet, and that the worker has received.
  const socket = net.connect(port, '127.0.0.1');
  t.teardown(() => void socket.destroy());
  socket.on('error', () => {});
  await c.line('connected', BOUND.reply, (l) => l.pid === worker.pid);

  c.child.kill('SIGTERM');
  await pollUntilAsync(async () => (await tryConnect(port)) === 'ECONNREFUSED', BOUND.reply, 'the listening socket to close', 20);
  // The worker answers this call only after the shutdown call before it, so it is draining now.
  await c.command('callStats', { id: worker.id });

  let response = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET /slow?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n');
  await withTimeout(ended, BOUND.reply, 'the answer on the early connection');
  t.regex(response, /^HTTP\/1\.1 200 OK\r\n/);
  t.regex(response, /\r\nconnection: close\r\n/i);
  t.deepEqual(await c.waitExit(BOUND.process), { code: 0, signal: null }, c.stderr);
});

test('a connection that never sends a request does not hold the drain until the deadline', async (t) => {
  const shutdownTimeout = 50_000;
  const c = await startCluster(t, { WORKERS: '1', REPORT_CONNECTIONS: '1', SHUTDOWN_TIMEOUT: String(shutdownTimeout) });
  const { port, workers } = await c.listening();
  const socket = net.connect(port, '127.0.0.1');
  t.teardown(() => void socket.destroy());
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await c.line('connected', BOUND.reply, (l) => l.pid === workers[0]!.pid);
  c.child.kill('SIGTERM');
  await withTimeout(closed, BOUND.reply, 'the silent connection to be closed');
  t.deepEqual(await c.waitExit(BOUND.reply), { code: 0, signal: null }, c.stderr);
});
