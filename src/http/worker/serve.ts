// How the worker's server meets its traffic: every request and connection counted and seen by the
// drain, connections from the shared socket ('os', 'round-robin') or from the primary's hand-off
// ('least-loaded'), and the load reports that acknowledge hand-offs.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { acceptHandoffs } from '../handoff.js';
import type { ControlLink } from '../control.js';
import type { ResolvedHttpOptions, WorkerServer } from '../options.js';
import type { DrainResponse } from './drain.js';
import type { WorkerParts } from './link.js';

type AnyRequest = IncomingMessage | Http2ServerRequest;

/** What the drain needs of a response, for HTTP/1 and HTTP/2 alike. */
function drainView(req: AnyRequest, res: DrainResponse): DrainResponse {
  const session = 'stream' in req ? req.stream.session : undefined;
  if (session === undefined) return res;
  // HTTP/2 has no `Connection: close`: its equivalent is a GOAWAY, which lets the session's
  // streams finish and refuses new ones.
  return { headersSent: false, setHeader: () => void session.close() };
}

/**
 * The TCP connections of the server, found from a request. A TLS request's socket (or an HTTP/2
 * request's proxy of it) is not the TCP socket the server's 'connection' event saw; both ends of
 * a TCP connection are, so a TLS server maps them by the peer's address and port.
 */
function connections(server: WorkerServer): { opened(socket: Socket): void; closed(socket: Socket): void; of(req: AnyRequest): Socket } {
  if (!(server instanceof TlsServer)) return { opened: () => {}, closed: () => {}, of: (req) => req.socket as Socket };
  const byPeer = new Map<string, Socket>();
  const peer = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${s.remoteAddress}|${s.remotePort}`;
  return {
    opened: (socket) => void byPeer.set(peer(socket), socket),
    closed: (socket) => {
      if (byPeer.get(peer(socket)) === socket) byPeer.delete(peer(socket));
    },
    of: (req) => byPeer.get(peer(req.socket)) ?? (req.socket as Socket),
  };
}

/** Counts every request and connection of the server, for the load meter and the drain. */
export function instrument(server: WorkerServer, { meter, drain }: WorkerParts): void {
  const tcp = connections(server);
  // Counted before the user's handler runs, and uncounted when the response is done or aborted.
  server.prependListener('request', (req: AnyRequest, res: DrainResponse & { once(event: 'close', listener: () => void): unknown }) => {
    const connection = meter.requestStarted(tcp.of(req));
    const view = drainView(req, res);
    drain.responseStarted(view);
    res.once('close', () => {
      meter.requestFinished(connection);
      drain.responseEnded(view);
    });
  });
  // Also sees the connections handed over by the primary, which are emitted as 'connection'.
  server.on('connection', (socket: Socket) => {
    if (!meter.opened(socket)) return;
    tcp.opened(socket);
    socket.once('close', () => {
      tcp.closed(socket);
      meter.closed(socket);
      drain.settle();
    });
  });
  drain.serving();
}

/** Reports load at every interval (sampling the event loop first); returns the report function. */
export function reportLoad(link: ControlLink, { meter, loop }: WorkerParts, interval: number): () => void {
  const report = (): void => {
    if (link.isConnected) link.emit('load', meter.report(loop.p99));
  };
  setInterval(() => {
    loop.sample();
    report();
  }, interval).unref();
  return report;
}

/** Takes traffic: hand-offs from the primary, or the shared listening socket. Rejects when it cannot listen. */
export async function takeTraffic(server: WorkerServer, resolved: ResolvedHttpOptions, parts: WorkerParts, report: () => void): Promise<void> {
  if (resolved.balance === 'least-loaded') {
    acceptHandoffs({
      // A draining (or exiting) worker refuses: the primary deals the connection to another one.
      accepting: () => !parts.drain.draining,
      take: (socket) => {
        parts.meter.tookHandoff();
        server.emit('connection', socket);
      },
      taken: report,
    });
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
