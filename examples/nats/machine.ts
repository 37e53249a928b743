// One "machine": a node:cluster primary and WORKERS workers serving HTTP on PORT. Every process
// joins the NATS namespace, so the admin script (or any other machine) can reach each of them.
// Environment: MACHINE (a name), PORT (HTTP), NATS_URL, WORKERS (default 2).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { connect } from '@nats-io/transport-node';
import { joinNamespace } from 'typed-cluster-rpc/nats';
import { shopContract } from './contract.js';

const machine = process.env['MACHINE'] ?? 'machine';
const role: 'primary' | 'worker' = cluster.isPrimary ? 'primary' : 'worker';
const started = performance.now();
let requests = 0;

// The connection is the application's: its servers, credentials and reconnect policy.
const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222', name: `${machine}/${role} ${process.pid}` });
const member = await joinNamespace(nc, shopContract, {
  namespace: 'shop',
  side: 'worker',
  label: `${machine}/${role}`,
  handlers: {
    stats: () => ({ machine, role, pid: process.pid, requests, uptimeMs: performance.now() - started }),
    hello: ({ from }, ctx) => `hello ${from}, this is ${machine}/${role} ${process.pid} (you are member ${ctx.member.id})`,
  },
});
member.on('announce', ({ text }) => console.log(`[${machine}/${role} ${process.pid}] heard: ${text}`));

if (cluster.isPrimary) {
  // A machine started by examples/nats/main.ts stops with it.
  process.once('disconnect', () => process.exit(0));
  for (let i = 0; i < Number(process.env['WORKERS'] ?? 2); i++) cluster.fork();
  let online = 0;
  cluster.on('message', (_worker, message) => {
    if (message === 'listening' && ++online === Number(process.env['WORKERS'] ?? 2)) process.send?.('ready');
  });
} else {
  createServer((_req, res) => {
    requests++;
    res.end(`${machine} worker ${process.pid}\n`);
  }).listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1', () => process.send?.('listening'));
}

// Leave the namespace gracefully when told to stop.
process.once('SIGTERM', async () => {
  await member.drain({ timeout: 2_000 });
  await nc.close();
  process.exit(0);
});
