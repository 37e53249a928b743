// Bad configuration fails fast with a clear error, never a hang or a crash loop.
import net from 'node:net';
import test from 'ava';
import { runHttpCluster } from '../../src/http/index.js';
import { BOUND, isAlive, startCluster, withTimeout } from './helpers.js';

const server = () => {
  throw new Error('never called: the options are refused first');
};

// These are refused before anything forks, so they can run in the test process itself.
const refused: [string, Record<string, unknown>, RegExp][] = [
  ['workers: 0', { workers: 0 }, /workers/],
  ['workers: 1.5', { workers: 1.5 }, /workers/],
  ["balance: 'nope'", { balance: 'nope' }, /balance must be 'least-loaded', 'round-robin' or 'os', got the string "nope"/],
  ['port: -1', { port: -1 }, /port must be an integer from 0 to 65535, got number -1/],
  ['port: 70000', { port: 70_000 }, /port must be an integer from 0 to 65535/],
  ['a missing worker factory', { worker: undefined }, /worker must be a function/],
  ['shutdownTimeout: 0', { shutdownTimeout: 0 }, /shutdownTimeout must be a positive number of milliseconds/],
  // A Node timer fires after 1 ms for Infinity or anything past 2^31-1 ms: refused, not obeyed.
  ['readyTimeout: Infinity', { readyTimeout: Infinity }, /readyTimeout must be a positive number of milliseconds up to 2147483647/],
  ['heartbeatInterval: 2^31', { heartbeatInterval: 2 ** 31 }, /heartbeatInterval must be a positive number of milliseconds up to 2147483647/],
  ['restart.maxDelay: Infinity', { restart: { maxDelay: Infinity } }, /restart\.maxDelay must be a positive number/],
  ['an unknown option', { wokers: 2 }, /unknown option "wokers"/],
  ['an unknown restart option', { restart: { maxRetries: 3 } }, /restart: unknown option "maxRetries"/],
  ['restart.factor below 1', { restart: { factor: 0.5 } }, /restart\.factor must be a number >= 1/],
  ['restart.maxClusterRestarts: -1', { restart: { maxClusterRestarts: -1 } }, /restart: maxClusterRestarts must be a non-negative integer or Infinity, got number -1/],
  ['maxWorkerRssBytes: 0', { maxWorkerRssBytes: 0 }, /maxWorkerRssBytes must be a positive integer or Infinity, got number 0/],
  ["maxWorkerRssBytes: '1G'", { maxWorkerRssBytes: '1G' }, /maxWorkerRssBytes must be a positive integer or Infinity, got the string "1G"/],
  ["serialization: 'v8'", { serialization: 'v8' }, /serialization must be 'advanced' or 'json', got the string "v8"/],
  ['handleSignals: 1', { handleSignals: 1 }, /handleSignals must be a boolean, got number 1/],
];
for (const [what, patch, message] of refused) {
  test(`runHttpCluster refuses ${what} with a TypeError before forking`, async (t) => {
    const error = await t.throwsAsync(runHttpCluster({ port: 0, worker: server, ...patch } as never), { instanceOf: TypeError, message });
    t.regex(error!.message, /^runHttpCluster/);
  });
}

test('a process started with workers: 0 exits at once, non-zero, with the reason on stderr', async (t) => {
  const c = await startCluster(t, { WORKERS: '0' });
  const exit = await c.waitExit(BOUND.boot);
  t.is(exit.code, 1);
  t.regex(c.stderr, /TypeError: runHttpCluster: workers/);
  t.is(c.workerPids.size, 0);
});

test("a process started with balance 'nope' exits at once, non-zero, with the reason on stderr", async (t) => {
  const c = await startCluster(t, { BALANCE: 'nope' });
  const exit = await c.waitExit(BOUND.boot);
  t.is(exit.code, 1);
  t.regex(c.stderr, /balance must be 'least-loaded', 'round-robin' or 'os', got the string "nope"/);
  t.is(c.workerPids.size, 0);
});

for (const balance of ['least-loaded', 'round-robin', 'os'] as const) {
  test(`a port in use fails the start with EADDRINUSE (balance '${balance}')`, async (t) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.teardown(() => void blocker.close());
    const { port } = blocker.address() as net.AddressInfo;
    const c = await startCluster(t, { WORKERS: '2', BALANCE: balance, PORT: String(port) });
    const exit = await c.waitExit(BOUND.boot);
    t.is(exit.code, 1);
    t.regex(c.stderr, /EADDRINUSE/);
    t.regex(c.stderr, new RegExp(String(port)));
    t.is(c.linesOf('listening').length, 0);
    // Not one restart: at most the first N workers were forked, and none is left.
    t.true(c.workerPids.size <= 2);
    for (const pid of c.workerPids) t.false(isAlive(pid));
  });
}

test('a worker factory that throws at start fails the start with its error, without a crash loop', async (t) => {
  const c = await startCluster(t, { WORKERS: '2', WORKER_MODE: 'throw' });
  const exit = await c.waitExit(BOUND.boot);
  t.is(exit.code, 1);
  t.regex(c.stderr, /failed to start: Error: boom from the worker factory/);
  t.is(c.linesOf('listening').length, 0);
  t.is(c.workerPids.size, 2, 'the two workers were forked once each, never restarted');
  for (const pid of c.workerPids) t.false(isAlive(pid));
});

test('a worker that does not become ready within readyTimeout fails the start, naming the timeout', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', WORKER_MODE: 'never-ready', READY_TIMEOUT: '2000' });
  const exit = await withTimeout(c.exit, BOUND.boot, 'the primary to exit');
  t.is(exit.code, 1);
  t.regex(c.stderr, /did not become ready within 2000 ms/);
  t.is(c.workerPids.size, 1);
  for (const pid of c.workerPids) t.false(isAlive(pid));
});
