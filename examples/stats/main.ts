// `stats` across the cluster: ask each worker with `worker.call('stats')`, then everyone at once
// with `hub.broadcast('stats')`, and print both as tables.
import cluster from 'node:cluster';
import { connectPrimary, createPrimary } from 'typed-cluster-rpc';
import { statsContract } from './contract.js';

const WORKERS = Number(process.env['WORKERS'] ?? 3);

if (cluster.isPrimary) {
  // Generous: the first calls also wait for the workers to start.
  const hub = createPrimary(statsContract, { timeout: 20_000 });
  const workers = Array.from({ length: WORKERS }, () => hub.fork());

  // Give each worker a different amount of work, so their counters differ.
  await Promise.all(workers.map((w, i) => Promise.all(Array.from({ length: (i + 1) * 5 }, () => w.call('work', { iterations: 10_000 })))));

  console.log('one call per worker:');
  const rows = [];
  for (const w of workers) {
    const s = await w.call('stats');
    rows.push({ worker: w.id, pid: s.pid, handled: s.handled, 'rss MiB': (s.rssBytes / 2 ** 20).toFixed(1) });
  }
  console.table(rows);

  console.log('one broadcast:');
  // A deadline for the slowest worker; generous, as a busy machine can be slow to answer.
  const results = await hub.broadcast('stats', undefined, { timeout: 15_000 });
  console.table(
    results.map((r) =>
      r.status === 'fulfilled'
        ? { worker: r.worker.id, status: 'ok', handled: r.value.handled, 'uptime ms': Math.round(r.value.uptimeMs), 'latency ms': r.ms.toFixed(2) }
        : { worker: r.worker.id, status: String(r.reason), handled: '-', 'uptime ms': '-', 'latency ms': r.ms.toFixed(2) },
    ),
  );
  const total = results.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value.handled : 0), 0);
  console.log(`calls handled across the cluster: ${total}`);

  await hub.close();
  cluster.disconnect();
} else {
  const started = performance.now();
  let handled = 0;
  connectPrimary(statsContract, {
    handlers: {
      work: ({ iterations }) => {
        handled++;
        let x = 0;
        for (let i = 0; i < iterations; i++) x += Math.sqrt(i);
        return Math.round(x);
      },
      stats: () => ({ pid: process.pid, handled, rssBytes: process.memoryUsage().rss, uptimeMs: performance.now() - started }),
    },
  });
}
