// One "machine": an HTTP cluster (a primary and WORKERS workers serving HTTP on PORT) whose every
// process joins the NATS namespace "shop" through runHttpCluster's `nats` option, so the admin
// script (or any other machine) reaches each of them. Environment: MACHINE, PORT, NATS_URL, WORKERS.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { connect } from '@nats-io/transport-node';
import { runHttpCluster } from 'typed-cluster-rpc/http';
import { shopContract } from './contract.js';

const machine = process.env['MACHINE'] ?? 'machine';
const role = cluster.isPrimary ? 'primary' : 'worker';

const app = await runHttpCluster({
  port: Number(process.env['PORT'] ?? 8080),
  host: '127.0.0.1',
  workers: Number(process.env['WORKERS'] ?? 2),
  contract: shopContract,
  handlers: { worker: { hello: ({ from }) => `hello ${from}, this is ${machine}/worker ${process.pid}` } },
  worker: () => createServer((_req, res) => res.end(`${machine} worker ${process.pid}\n`)),
  nats: {
    // Called in the primary and in every worker: the connection is the application's (its servers,
    // credentials and reconnect policy), and one cannot cross a fork.
    connect: () => connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', name: `${machine}/${role} ${process.pid}` }),
    namespace: 'shop',
    member: { label: `${machine}/${role}` },
  },
});

const member = await app.nats!;
member.on('announce', ({ text }) => console.log(`[${machine}/${role} ${process.pid}] heard: ${text}`));
if (app.isPrimary) {
  // Started by examples/nats/main.ts, which stops it with SIGTERM: the cluster drains its workers
  // (each one's member says goodbye), then the primary's member leaves, then the process exits.
  process.once('disconnect', () => void app.close());
  process.send?.('ready');
}
