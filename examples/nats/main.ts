// `npm run example:nats`: starts a local nats-server, two "machines" (two HTTP clusters on two
// ports, each a primary and two workers), then the admin script; stops everything afterwards.
// Needs nats-server on PATH (or NATS_SERVER_BIN).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const children: ChildProcess[] = [];
const stopAll = (): void => {
  for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.once('exit', stopAll);
process.once('SIGTERM', () => {
  stopAll();
  process.exit(1);
});

const natsPort = await freePort();
const nats = spawn(process.env['NATS_SERVER_BIN'] ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
nats.once('error', (error) => {
  console.error(`cannot start nats-server (${error.message}); install it (apt-get install nats-server, or see https://docs.nats.io)`);
  process.exit(1);
});
children.push(nats);
await waitForPort(natsPort, 15_000);
const NATS_URL = `nats://127.0.0.1:${natsPort}`;
console.log(`nats-server on ${NATS_URL}`);

const machines: ChildProcess[] = [];
for (const name of ['machine-a', 'machine-b']) {
  const port = await freePort();
  const child = fork(here('./machine.ts'), { env: { ...process.env, MACHINE: name, PORT: String(port), NATS_URL }, execArgv: ['--import', 'tsx'] });
  children.push(child);
  machines.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  console.log(`${name} serves HTTP on port ${port}: ${body.trim()}`);
}

const admin = fork(here('./admin.ts'), { env: { ...process.env, NATS_URL }, execArgv: ['--import', 'tsx'] });
children.push(admin);
const code = await new Promise<number | null>((resolve) => admin.once('exit', resolve));
// The machines stop gracefully (each worker drains its HTTP and its member, then the primary's member leaves), then the server stops.
await Promise.all(
  machines.map(
    (m) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => (m.kill('SIGKILL'), resolve()), 15_000);
        m.once('exit', () => (clearTimeout(timer), resolve()));
        m.kill('SIGTERM');
      }),
  ),
);
nats.kill('SIGTERM');
process.exit(code ?? 1);
