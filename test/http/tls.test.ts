// Workers beyond http.createServer: https.createServer and http2.createSecureServer (allowHTTP1)
// serve in every balance mode (the TLS handshake happens in the worker, also for a connection
// the primary handed over), and drain: a request in flight at SIGTERM completes, the primary exits 0.
// The self-signed certificate is made for the test run by openssl and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BOUND, isAlive, startCluster, withTimeout } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'crpc-tls-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let ca = Buffer.alloc(0);

test.before(() => {
  // A throwaway key and certificate for 127.0.0.1, valid for one day; never committed.
  // prettier-ignore
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=typed-cluster-rpc test', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: ['ignore', 'ignore', 'pipe'] });
  ca = readFileSync(path.join(dir, 'cert.pem'));
});

interface TlsReply {
  readonly status: number;
  readonly body: string;
  readonly version: string;
  readonly connection: string | undefined;
}

/** An HTTP/1.1 GET over TLS on a new connection, trusting only the test's certificate, bounded. */
function get1(port: number, pathname: string): Promise<TlsReply> {
  const reply = new Promise<TlsReply>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: pathname, ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, version: res.httpVersion, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return withTimeout(reply, BOUND.reply, `GET ${pathname} over HTTPS`);
}

/** An HTTP/2 session to the cluster; `get` makes a request on it; closed in teardown. */
function connect2(t: import('ava').ExecutionContext, port: number): { session: http2.ClientHttp2Session; get(pathname: string): Promise<TlsReply> } {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
  session.on('error', () => {});
  t.teardown(() => void session.destroy());
  const get = (pathname: string): Promise<TlsReply> => {
    const reply = new Promise<TlsReply>((resolve, reject) => {
      const stream = session.request({ ':path': pathname });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve({ status, body, version: session.alpnProtocol ?? '?', connection: undefined }));
      stream.on('error', reject);
    });
    return withTimeout(reply, BOUND.reply, `GET ${pathname} over HTTP/2`);
  };
  return { session, get };
}

const pidOf = (reply: TlsReply): number => (JSON.parse(reply.body) as { pid: number }).pid;

for (const kind of ['https', 'http2'] as const) {
  for (const balance of ['least-loaded', 'round-robin', 'os'] as const) {
    test(`${kind} workers serve with balance '${balance}' and drain a request in flight on SIGTERM`, async (t) => {
      const c = await startCluster(t, { WORKERS: '2', BALANCE: balance, SERVER_KIND: kind, TLS_DIR: dir, LOAD_REPORT_INTERVAL: '50', SHUTDOWN_TIMEOUT: '30000' });
      const { port, workers } = await c.listening();
      const pids = workers.map((w) => w.pid);

      // HTTP/1.1 over TLS: for https, and for http2 through allowHTTP1.
      const plain = await Promise.all(Array.from({ length: 6 }, () => get1(port, '/')));
      for (const r of plain) {
        t.like(r, { status: 200, version: '1.1' });
        t.true(pids.includes(pidOf(r)), `answered by a worker of the cluster: ${r.body}`);
      }
      if (balance !== 'os') t.is(new Set(plain.map(pidOf)).size, 2, 'both workers served');

      const h2 = kind === 'http2' ? connect2(t, port) : undefined;
      if (h2 !== undefined) {
        const r = await h2.get('/');
        t.like(r, { status: 200, version: 'h2' });
        t.true(pids.includes(pidOf(r)));
      }

      // A slow request in flight (over HTTP/2 for http2) when the primary is told to stop.
      const slow = h2 !== undefined ? h2.get('/slow?ms=2000') : get1(port, '/slow?ms=2000');
      const goaway = h2 === undefined ? undefined : new Promise<void>((resolve) => h2.session.once('goaway', () => resolve()));
      await c.command('awaitTotalInFlight', { min: 1 });
      c.child.kill('SIGTERM');
      const reply = await slow;
      t.is(reply.status, 200);
      t.true(pids.includes(pidOf(reply)));
      if (h2 === undefined) t.is(reply.connection, 'close', 'the drain told the client not to reuse the connection');
      else await withTimeout(goaway!, BOUND.reply, 'a GOAWAY on the HTTP/2 session');
      t.deepEqual(await c.waitExit(BOUND.process), { code: 0, signal: null }, c.stderr);
      t.is(c.stderr, '');
      for (const e of c.linesOf('workerExited')) t.like(e, { planned: true, code: 0, signal: null });
    });
  }
}

test('a worker factory that returns a bare net.Server fails the start, naming the servers it takes', async (t) => {
  const c = await startCluster(t, { WORKERS: '1', WORKER_MODE: 'tcp' });
  const exit = await c.waitExit(BOUND.boot);
  t.is(exit.code, 1);
  t.regex(c.stderr, /the worker factory must return a server from http\.createServer, https\.createServer or http2\.createSecureServer/);
  for (const pid of c.workerPids) t.false(isAlive(pid));
});
