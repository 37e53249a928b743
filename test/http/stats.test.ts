// Load reporting over RPC: app.stats(), hub.worker(id).call('stats'), and a worker asking the
// primary for the whole cluster's stats (clusterStats).
import test from 'ava';
import { get, pidOf, startCluster } from './helpers.js';

interface WorkerStats {
  workerId: number;
  pid: number;
  uptimeMs: number;
  inFlight: number;
  handled: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  rssBytes: number;
  heapUsedBytes: number;
}
interface ClusterStats {
  workers: { id: number; pid: number; state: string; restarts: number; stats?: WorkerStats; error?: string }[];
  totals: { workers: number; ready: number; inFlight: number; handled: number };
}

function checkWorkerStats(t: import('ava').ExecutionContext, s: WorkerStats | undefined, id: number, pid: number): void {
  t.truthy(s);
  t.is(s!.workerId, id);
  t.is(s!.pid, pid);
  t.true(s!.uptimeMs > 0);
  t.true(s!.rssBytes > 0 && s!.heapUsedBytes > 0);
  t.true(s!.eventLoopDelayP50Ms >= 0 && s!.eventLoopDelayP99Ms >= s!.eventLoopDelayP50Ms);
}

test('a worker asks the primary for the whole cluster stats, with every worker in it', async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { port, workers } = await c.listening();
  for (let i = 0; i < 4; i++) await pidOf(port);
  const reply = await get(port, '/stats');
  t.is(reply.status, 200);
  const stats = JSON.parse(reply.body) as ClusterStats;
  t.is(stats.workers.length, 2);
  for (const w of workers) {
    const entry = stats.workers.find((e) => e.id === w.id);
    t.like(entry, { id: w.id, pid: w.pid, state: 'ready', restarts: 0 });
    checkWorkerStats(t, entry?.stats, w.id, w.pid);
  }
  // The /stats request itself is in flight while its worker answers the primary.
  t.like(stats.totals, { workers: 2, ready: 2, inFlight: 1, handled: 4 });
});

test("app.stats() and hub.worker(id).call('stats') answer from the primary", async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { port, workers } = await c.listening();
  const answeredBy = await pidOf(port);
  const all = await c.command<ClusterStats>('stats');
  t.is(all.workers.length, 2);
  t.like(all.totals, { workers: 2, ready: 2, inFlight: 0, handled: 1 });
  for (const w of workers) {
    const single = await c.command<WorkerStats>('callStats', { id: w.id });
    checkWorkerStats(t, single, w.id, w.pid);
    t.is(single.handled, w.pid === answeredBy ? 1 : 0);
    t.is(single.inFlight, 0);
  }
});

test("the user's own contract is served beside the built-ins, both ways", async (t) => {
  const c = await startCluster(t, { WORKERS: '2' });
  const { port, workers } = await c.listening();
  for (const w of workers) {
    t.deepEqual(await c.command('whoami', { id: w.id }), { pid: w.pid, slot: String(w.slot) });
  }
  const reply = await get(port, '/shout?text=hello');
  t.is(reply.status, 200);
  t.deepEqual(JSON.parse(reply.body), { text: 'HELLO!' });
});
