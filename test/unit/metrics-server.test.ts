// The /metrics server: its own port on 127.0.0.1 by default, GET and HEAD only, a failed scrape is a 500.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { EXPOSITION_CONTENT_TYPE, serveMetrics, type MetricsServer } from '../../src/metrics/index.js';
import { withTimeout } from '../fixtures/process.js';

function get(address: AddressInfo, path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string; allow: string | undefined }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: address.address, port: address.port, path, method, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body, allow: res.headers['allow'] }));
      });
      req.once('error', reject);
      req.end();
    }),
    10_000,
    `${method} ${path}`,
  );
}

async function serve(t: { teardown(fn: () => Promise<void>): void }, exposition: () => Promise<string> | string): Promise<MetricsServer> {
  const server = await serveMetrics({ exposition, port: 0 });
  t.teardown(() => server.close());
  return server;
}

test('GET /metrics answers the exposition text with the 0.0.4 content type, on 127.0.0.1 by default', async (t) => {
  let scrapes = 0;
  const server = await serve(t, () => `# TYPE up gauge\nup ${++scrapes}\n`);
  t.is(server.address.address, '127.0.0.1');
  t.not(server.address.port, 0);
  const res = await get(server.address, '/metrics');
  t.is(res.status, 200);
  t.is(res.type, EXPOSITION_CONTENT_TYPE);
  t.is(res.body, '# TYPE up gauge\nup 1\n');
  t.is((await get(server.address, '/metrics?x=1')).body, '# TYPE up gauge\nup 2\n');
});

test('HEAD has no body; another path is 404; another method is 405 with Allow', async (t) => {
  const server = await serve(t, () => 'up 1\n');
  const head = await get(server.address, '/metrics', 'HEAD');
  t.is(head.status, 200);
  t.is(head.body, '');
  t.is((await get(server.address, '/')).status, 404);
  const post = await get(server.address, '/metrics', 'POST');
  t.is(post.status, 405);
  t.is(post.allow, 'GET, HEAD');
});

test('a scrape that fails answers 500 with the reason and the server keeps serving', async (t) => {
  let fail = true;
  const server = await serve(t, async () => {
    if (fail) throw new Error('collector broke');
    return 'up 1\n';
  });
  const res = await get(server.address, '/metrics');
  t.is(res.status, 500);
  t.regex(res.body, /collector broke/);
  fail = false;
  t.is((await get(server.address, '/metrics')).status, 200);
});

test('bad options are refused, and a port in use rejects', async (t) => {
  const exposition = (): string => '';
  await t.throwsAsync(serveMetrics({ exposition, port: -1 }), { instanceOf: TypeError, message: /port must be/ });
  await t.throwsAsync(serveMetrics({ exposition, port: 0, path: 'metrics' }), { instanceOf: TypeError, message: /path must start/ });
  await t.throwsAsync(serveMetrics({ exposition: 'x' as never, port: 0 }), { instanceOf: TypeError, message: /exposition must be a function/ });
  const server = await serve(t, exposition);
  await t.throwsAsync(serveMetrics({ exposition, port: server.address.port }), { code: 'EADDRINUSE' });
});

test('close() stops listening', async (t) => {
  const server = await serveMetrics({ exposition: () => 'up 1\n', port: 0 });
  await withTimeout(server.close(), 5_000, 'close');
  await t.throwsAsync(get(server.address, '/metrics'), { code: 'ECONNREFUSED' });
});
