// How the worker's server meets its traffic: every request and connection counted and seen by the
// drain, connections from the shared socket ('os', 'round-robin') or from the primary's hand-off
// ('least-loaded'), and the load reports that acknowledge hand-offs.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { acceptHandoffs } from '../handoff.js';
import type { ControlLink } from '../control.js';
import type { ResolvedHttpOptions } from '../options.js';
import type { WorkerParts } from './link.js';

/** Counts every request and connection of the server, for the load meter and the drain. */
export function instrument(server: Server, { meter, drain }: WorkerParts): void {
  // Counted before the user's handler runs, and uncounted when the response is done or aborted.
  server.prependListener('request', (req, res: ServerResponse) => {
    const connection = meter.requestStarted(req.socket);
    drain.responseStarted(res);
    res.once('close', () => {
      meter.requestFinished(connection);
      drain.responseEnded(res);
    });
  });
  // Also sees the connections handed over by the primary, which are emitted as 'connection'.
  server.on('connection', (socket: Socket) => {
    if (!meter.opened(socket)) return;
    socket.once('close', () => {
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
export async function takeTraffic(server: Server, resolved: ResolvedHttpOptions, parts: WorkerParts, report: () => void): Promise<void> {
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
