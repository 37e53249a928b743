// The HTTP cluster example (`npm start`), run as a user would (it imports the built package:
// run `npm run build` first, as `npm test` and `npm start` do): it answers on / and /stats, shows
// its status table, and shuts down on SIGINT with exit 0.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { BOUND, get, isAlive, pollUntil, startCluster } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/http-cluster/server.ts', import.meta.url));

test('the example answers on / and /stats (JSON with every worker) and shuts down on SIGINT with exit 0', async (t) => {
  const c = await startCluster(t, { PORT: '0', WORKERS: '2', METRICS_PORT: '0' }, EXAMPLE);
  const [, address, portText] = await c.until(() => /typed-cluster-rpc HTTP cluster on http:\/\/([\d.]+):(\d+) \(pid \d+\)/.exec(c.stdout) ?? undefined, BOUND.boot, 'the example to print its address');
  t.is(address, '127.0.0.1');
  const port = Number(portText);
  const [, metricsPort] = await c.until(() => /^metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics$/m.exec(c.stdout) ?? undefined, BOUND.reply, 'the example to print where its metrics are');
  t.not(Number(metricsPort), port);

  const home = await get(port, '/');
  t.is(home.status, 200);
  t.regex(home.body, /^handled by \d+\n$/);

  const reply = await get(port, '/stats');
  t.is(reply.status, 200);
  t.regex(String(reply.headers['content-type']), /application\/json/);
  const stats = JSON.parse(reply.body) as { workers: { id: number; pid: number; state: string; stats?: { pid: number; handled: number } }[]; totals: { workers: number; ready: number } };
  for (const w of stats.workers) c.workerPids.add(w.pid); // killed in teardown if the test fails
  t.is(stats.workers.length, 2);
  t.like(stats.totals, { workers: 2, ready: 2 });
  for (const w of stats.workers) {
    t.is(w.state, 'ready');
    t.is(w.stats?.pid, w.pid);
  }
  t.true(stats.workers.some((w) => home.body === `handled by ${w.pid}\n`), 'the / reply came from a worker of the cluster');

  const metrics = await get(Number(metricsPort), '/metrics');
  t.is(metrics.status, 200);
  t.regex(metrics.body, /^cluster_worker_up\{worker="0"\} 1$/m);
  t.regex(metrics.body, /^cluster_worker_up\{worker="1"\} 1$/m);
  t.regex(metrics.body, /^http_server_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="200",worker="\d"\} \d+$/m);

  // Not a TTY: the status table is printed as plain lines, one row per worker.
  await c.until(() => (/^id +pid +state +in-flight +req\/s +total +loop p99 ms +rss MiB +restarts$/m.test(c.stdout) ? true : undefined), BOUND.reply, 'the status table');

  c.child.kill('SIGINT');
  t.deepEqual(await c.waitExit(BOUND.process), { code: 0, signal: null }, c.stderr);
  t.regex(c.stdout, /stopped, exit code 0/);
  t.is(c.stderr, '');
  await pollUntil(() => stats.workers.every((w) => !isAlive(w.pid)), BOUND.reply, 'the workers to be gone');
});
