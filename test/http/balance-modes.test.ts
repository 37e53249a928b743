// The other balance strategies: 'round-robin' (SCHED_RR) and 'os' (SCHED_NONE) serve requests, and
// drain on SIGTERM like least-loaded does; so does a cluster given no `balance` (the default, 'os').
import test from 'ava';
import { resolveHttpOptions } from '../../src/http/options.js';
import { BOUND, get, startCluster, tally, withTimeout } from './helpers.js';

test("the default balance is 'os'", (t) => {
  t.is(resolveHttpOptions({ port: 0, worker: () => Promise.reject(new Error('not called')) }).balance, 'os');
});

for (const balance of ['round-robin', 'os', 'default'] as const) {
  test(`balance '${balance}' serves requests from the workers and shuts down with exit 0`, async (t) => {
    const c = await startCluster(t, { WORKERS: '2', BALANCE: balance });
    const { port, address, workers } = await c.listening();
    t.is(address, '127.0.0.1');
    t.true(port > 0);
    const replies = await withTimeout(Promise.all(Array.from({ length: 20 }, () => get(port, '/slow?ms=50'))), BOUND.reply, 'the requests');
    for (const r of replies) t.is(r.status, 200);
    const counts = tally(replies.map((r) => (JSON.parse(r.body) as { pid: number }).pid));
    const pids = new Set(workers.map((w) => w.pid));
    for (const pid of counts.keys()) t.true(pids.has(pid), `answered by a worker of the cluster (${pid})`);
    if (balance === 'round-robin') t.is(counts.size, 2, 'round-robin deals to both workers');

    const slow = get(port, '/slow?ms=1000');
    await c.command('awaitTotalInFlight', { min: 1 });
    c.child.kill('SIGTERM');
    t.is((await slow).status, 200);
    t.deepEqual(await c.waitExit(BOUND.process), { code: 0, signal: null }, c.stderr);
  });
}
