// maxWorkerRssBytes: a worker whose resident set grows above the ceiling is replaced by the same
// rolling replacement as a reload (its successor ready first, then it drains), and the
// replacement is reported by the workerRecycled event and a line on stderr.
import test from 'ava';
import { Load, pidOf, startCluster } from './helpers.js';

const MiB = 1024 * 1024;

test('a worker above maxWorkerRssBytes is replaced without a failed request, and the replacement is reported', async (t) => {
  const limit = 512 * MiB;
  const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', MAX_WORKER_RSS_BYTES: String(limit), HEARTBEAT_INTERVAL: '200', LOAD_REPORT_INTERVAL: '50' });
  const { port, workers } = await c.listening(120_000);
  const load = new Load(t, port, '/slow?ms=5', 4);
  await load.more(20, 20_000);
  const grown = await pidOf(port, '/grow?mb=600');
  const other = workers.find((w) => w.pid !== grown)!.pid;

  const recycled = await c.line('workerRecycled', 30_000);
  t.is(recycled.worker.pid, grown);
  t.true(recycled.rssBytes > limit);
  t.is(recycled.limit, limit);
  const exit = await c.line('workerExited', 30_000, (e) => e.worker.pid === grown);
  t.like(exit, { planned: true, code: 0, signal: null });
  await load.more(20, 20_000);
  await load.stop();
  t.deepEqual(load.failures.map((e) => e.message), []);

  const now = await c.workers();
  t.is(now.length, 2);
  t.true(now.every((w) => w.state === 'ready'));
  t.true(now.some((w) => w.pid === other), 'the other worker was left alone');
  t.true(now.some((w) => w.pid === recycled.replacementPid), 'the replacement serves');
  t.is(c.linesOf('workerRestarted').length, 0, 'a replacement is not a restart');
  t.regex(c.stderr, new RegExp(`worker \\d+ \\(pid ${grown}, slot \\d\\) uses \\d+ bytes of RSS, above maxWorkerRssBytes = ${limit}: replacing it`));
});
