// The HTTP cluster demo (`npm start`): the same file runs as the primary and as every worker.
//   /       which worker answered
//   /slow   burns ~50 ms of CPU, to watch the least-loaded balancer steer around a busy worker
//   /stats  the whole cluster's stats, fetched by the worker from the primary over RPC
// The primary draws a live status table; SIGHUP (`kill -HUP <pid>`) replaces the workers one at a
// time; Ctrl-C shuts down gracefully (twice: at once). PORT (8000), HOST (127.0.0.1) and WORKERS
// (one per core) set where it listens and how many workers it runs. The primary serves the whole
// cluster's Prometheus metrics on a port of their own: METRICS_PORT (9464, the OpenTelemetry
// Prometheus exporter's), on 127.0.0.1.
import http from 'node:http';
import { runHttpCluster } from 'typed-cluster-rpc/http';
import { startStatusView } from './status-view.js';

const port = Number(process.env['PORT'] ?? 8000);

const app = await runHttpCluster({
  port,
  host: process.env['HOST'] ?? '127.0.0.1',
  ...(process.env['WORKERS'] !== undefined ? { workers: Number(process.env['WORKERS']) } : {}),
  balance: 'least-loaded',
  shutdownTimeout: 10_000,
  metrics: { port: Number(process.env['METRICS_PORT'] ?? 9464) },
  worker: ({ primary }) =>
    http.createServer((req, res) => {
      if (req.url === '/slow') {
        const until = performance.now() + 50;
        while (performance.now() < until);
        res.end(`slow, handled by ${process.pid}\n`);
      } else if (req.url === '/stats') {
        primary.call('clusterStats').then(
          (stats) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify(stats, null, 2));
          },
          (error: Error) => {
            res.statusCode = 503;
            res.end(`${error.message}\n`);
          },
        );
      } else {
        res.end(`handled by ${process.pid}\n`);
      }
    }),
});

if (app.isPrimary) {
  console.log(`typed-cluster-rpc HTTP cluster on http://${app.address.address}:${app.address.port} (pid ${process.pid}); Ctrl-C to stop, kill -HUP ${process.pid} to reload`);
  if (app.metricsAddress !== undefined) console.log(`metrics on http://${app.metricsAddress.address}:${app.metricsAddress.port}/metrics`);
  const view = startStatusView(app, process.stdout);
  // The cluster reloads on SIGHUP by itself; this listener only reports it (a reload joins the one running).
  let reloading = false;
  process.on('SIGHUP', () => {
    if (reloading) return view.log('reload already running');
    reloading = true;
    const started = performance.now();
    view.log(`reload started: replacing workers ${app.workers.filter((w) => w.state === 'ready').map((w) => w.id).join(', ')} one at a time`);
    app.reload().then(
      () => view.log(`reload finished in ${Math.round(performance.now() - started)} ms: workers ${app.workers.map((w) => w.id).join(', ')}`),
      (error: Error) => view.log(`reload failed: ${error.message}`),
    ).finally(() => (reloading = false));
  });
  app.on('workerExited', (exit) => view.log(`worker ${exit.worker.id} (pid ${exit.worker.pid}) ${exit.reason}${exit.planned ? '' : ' (crash)'}`));
  app.on('workerRestarted', (e) => view.log(`slot ${e.slot}: worker ${e.worker.id} started after ${e.delayMs} ms`));
  app.on('degraded', (health) => view.log(`degraded: ${health.ready} of ${health.configured} workers ready; ${health.vacant.map((v) => `slot ${v.slot}: ${v.reason}`).join('; ')}`));
  app.on('workerRecycled', (e) => view.log(`worker ${e.worker.id} replaced by ${e.replacement?.id ?? '?'}: ${Math.round(e.rssBytes / 2 ** 20)} MiB of RSS, above the ceiling`));
  app.on('stopForced', (e) => view.log(`the shutdown deadline cut off ${e.workers.reduce((n, w) => n + (w.cutOff ?? 0), 0)} requests on ${e.workers.length} workers`));
  app.on('stopped', (code) => {
    view.stop();
    console.log(`stopped, exit code ${code}`);
  });
}
