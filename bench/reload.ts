// A rolling restart under keep-alive load, measured: autocannon (keep-alive, closed loop) runs
// against a 2-worker cluster while app.reload() replaces both workers; the row reports failed
// requests (errors, timeouts, non-2xx) and how long the reload took. Run: `npm run build && node
// --import tsx bench/reload.ts` (every balance mode, each in a process of its own, as Node fixes
// the scheduling policy at the first fork). Not a timed assertion: numbers to read.
import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { runHttpCluster, type BalanceStrategy } from '../src/http/index.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const balance = process.env['BALANCE'] as BalanceStrategy | undefined;

if (balance === undefined && cluster.isPrimary) {
  // The driver: one process per balance mode.
  console.log(`reload under keep-alive load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s, reload at 2 s, 2 workers`);
  console.log('| balance | requests | failed | reload ms |\n| --- | ---: | ---: | ---: |');
  for (const mode of ['least-loaded', 'round-robin', 'os']) {
    const run = spawnSync(process.execPath, ['--import=tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, BALANCE: mode }, encoding: 'utf8', timeout: (SECONDS + 60) * 1_000 });
    process.stdout.write(run.stdout || `| ${mode} | the run failed: ${run.stderr.slice(-300)} |\n`);
  }
} else {
  const app = await runHttpCluster({
    port: 0,
    host: '127.0.0.1',
    workers: 2,
    balance: balance ?? 'least-loaded',
    worker: () => http.createServer((_req, res) => res.end('ok\n')),
    handleSignals: false,
    exitProcess: false,
  });
  if (app.isPrimary) {
    let loadEndedFirst = false;
    const reloaded = new Promise<number>((resolve, reject) => {
      setTimeout(() => {
        const started = performance.now();
        app.reload().then(() => resolve(performance.now() - started), reject);
      }, 2_000);
    });
    const result = await autocannon({ url: `http://127.0.0.1:${app.address.port}/`, connections: CONNECTIONS, duration: SECONDS });
    const failed = result.errors + result.timeouts + result.non2xx;
    const raced = await Promise.race([reloaded, Promise.resolve(-1)]);
    loadEndedFirst = raced === -1;
    const reloadMs = await reloaded;
    // A reload that outlasted the load finished its last drains without traffic: said so.
    process.stdout.write(`| ${balance} | ${result.requests.total} | ${failed} | ${Math.round(reloadMs)}${loadEndedFirst ? ' (ended after the load)' : ''} |\n`);
    process.exit(await app.close());
  }
}
