// A small HTTP server for `/metrics`, on its own host and port, never the application's.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';

/**
 * Options of {@link serveMetrics}.
 * @public
 */
export interface MetricsServerOptions {
  /** Produces the exposition text at each scrape (a collector's `exposition`). */
  readonly exposition: () => Promise<string> | string;
  /** The port; 0 picks a free one (see `address`). */
  readonly port: number;
  /**
   * Where to listen. The default keeps the metrics off the network; set it to expose them.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * The path that answers.
   * @defaultValue `'/metrics'`
   */
  readonly path?: string;
}

/**
 * A running metrics server.
 * @public
 */
export interface MetricsServer {
  /** Where it listens. */
  readonly address: AddressInfo;
  /** Stops listening and closes its connections. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

function answer(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/**
 * Serves Prometheus text on `host:port` at `path` (GET and HEAD; anything else is 404 or 405). A
 * scrape that fails answers 500 with the reason, never crashes the process. The server does not
 * keep the process alive by itself (it is `unref`'d): the cluster it reports on does.
 * @throws `TypeError` for bad options; rejects when the port cannot be bound.
 * @public
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  if (typeof options !== 'object' || options === null) throw new TypeError('serveMetrics: options must be an object');
  const { exposition, port, host = '127.0.0.1', path = '/metrics' } = options;
  if (typeof exposition !== 'function') throw new TypeError('serveMetrics: exposition must be a function');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`serveMetrics: port must be an integer from 0 to 65535, got ${String(port)}`);
  if (typeof host !== 'string' || host.length === 0) throw new TypeError('serveMetrics: host must be a non-empty string');
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('serveMetrics: path must start with "/"');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD';
    if ((req.url ?? '').split('?')[0] !== path) return answer(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      return answer(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
    }
    Promise.resolve()
      .then(exposition)
      .then(
        (text) => answer(res, 200, EXPOSITION_CONTENT_TYPE, text, head),
        (error: unknown) => answer(res, 500, 'text/plain; charset=utf-8', `scrape failed: ${error instanceof Error ? error.message : String(error)}\n`, head),
      );
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', () => {}); // a late accept error must not crash the primary
      resolve();
    });
  });
  server.unref();
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { address: server.address() as AddressInfo, close, [Symbol.asyncDispose]: close };
}
