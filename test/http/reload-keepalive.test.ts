// A rolling restart under keep-alive load loses nothing: the draining worker marks its responses
// `Connection: close` and never closes a kept-alive connection between two requests, so a client
// in a request loop never sends a request on a connection that is being closed. Run with the
// clients that never retry such a request: Node's keep-alive agent, undici and fetch.
import http from 'node:http';
import test from 'ava';
import { Agent as UndiciAgent, request as undiciRequest } from 'undici';
import { startCluster, withTimeout, type Cluster } from './helpers.js';

/** One request of a client: resolves to the pid that answered, rejects on any failure. */
type Client = { get(url: string): Promise<number>; close(): Promise<void>; connections(): number | undefined };

function nodeAgentClient(): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const sockets = new WeakSet<object>();
  let count = 0;
  return {
    get: (url) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(url, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { pid: number }).pid) : reject(new Error(`status ${res.statusCode}`))));
          res.on('error', reject);
        });
        req.on('socket', (socket) => {
          if (!sockets.has(socket)) (sockets.add(socket), count++);
        });
        req.on('error', reject);
        req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
      }),
    close: async () => agent.destroy(),
    connections: () => count,
  };
}

function undiciClient(): Client {
  const dispatcher = new UndiciAgent({ connections: 8 });
  return {
    get: async (url) => {
      const { statusCode, body } = await undiciRequest(url, { dispatcher, headersTimeout: 15_000, bodyTimeout: 15_000 });
      const parsed = (await body.json()) as { pid: number };
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return parsed.pid;
    },
    close: () => dispatcher.close(),
    connections: () => undefined,
  };
}

function fetchClient(): Client {
  return {
    get: async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const parsed = (await res.json()) as { pid: number };
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return parsed.pid;
    },
    close: async () => {},
    connections: () => undefined,
  };
}

/** `loops` request loops on one client until stopped; every outcome recorded. */
function load(client: Client, url: string, loops: number) {
  const pids: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const waiters = new Set<() => void>();
  const run = async (): Promise<void> => {
    while (!stopped) {
      await client.get(url).then(
        (pid) => void pids.push(pid),
        (error: Error & { code?: string }) => void failures.push(`${error.code ?? ''} ${error.message}`),
      );
      for (const w of [...waiters]) w();
    }
  };
  const running = Array.from({ length: loops }, run);
  return {
    pids,
    failures,
    /** Resolves once `count` more requests finished (either way), bounded. */
    more(count: number, ms: number): Promise<void> {
      const target = pids.length + failures.length + count;
      let waiter!: () => void;
      const reached = new Promise<void>((resolve) => {
        waiter = () => {
          if (pids.length + failures.length >= target) resolve();
        };
        waiters.add(waiter);
      });
      return withTimeout(reached, ms, `${count} more requests`).finally(() => waiters.delete(waiter));
    },
    async stop(): Promise<void> {
      stopped = true;
      await withTimeout(Promise.all(running), 20_000, 'the request loops to stop');
      await client.close();
    },
  };
}

async function reloadUnderLoad(t: import('ava').ExecutionContext, c: Cluster, client: Client): Promise<void> {
  const { port, workers } = await c.listening(120_000);
  const oldPids = workers.map((w) => w.pid);
  const l = load(client, `http://127.0.0.1:${port}/slow?ms=2`, 8);
  t.teardown(() => l.stop().catch(() => {}));
  await l.more(200, 30_000);
  const before = l.pids.length;
  await c.command('reload', {}, 90_000);
  const during = l.pids.length - before;
  await l.more(200, 30_000);
  await l.stop();

  t.deepEqual(l.failures, [], 'no request failed');
  t.true(during > 0, 'requests flowed during the reload');
  const now = await c.workers();
  t.is(now.length, oldPids.length, 'exactly the configured number of workers');
  t.true(now.every((w) => w.state === 'ready' && !oldPids.includes(w.pid)), 'every worker was replaced');
  const exits = c.linesOf('workerExited');
  t.deepEqual(exits.map((e) => e.worker.pid).sort(), [...oldPids].sort());
  for (const e of exits) t.like(e, { planned: true, code: 0, signal: null }, 'each old worker drained and exited 0');
  t.true(l.pids.slice(-50).every((pid) => !oldPids.includes(pid)), 'the last replies came from new workers');
  const connections = client.connections();
  if (connections !== undefined) t.true(connections < l.pids.length / 4, `connections were kept alive (${connections} for ${l.pids.length} requests)`);
}

const clients = { "Node's keep-alive http.Agent": nodeAgentClient, 'undici': undiciClient, 'fetch': fetchClient } as const;

for (const [name, make] of Object.entries(clients)) {
  test(`a reload under keep-alive load with ${name} fails no request and replaces every worker`, async (t) => {
    const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', SHUTDOWN_TIMEOUT: '20000', LOAD_REPORT_INTERVAL: '50' });
    await reloadUnderLoad(t, c, make());
  });
}

for (const balance of ['round-robin', 'os'] as const) {
  test(`a reload under keep-alive load with Node's agent fails no request with balance '${balance}'`, async (t) => {
    const c = await startCluster(t, { READY_TIMEOUT: '60000', WORKERS: '2', BALANCE: balance, SHUTDOWN_TIMEOUT: '20000', LOAD_REPORT_INTERVAL: '50' });
    await reloadUnderLoad(t, c, nodeAgentClient());
  });
}
