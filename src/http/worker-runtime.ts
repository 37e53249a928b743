// The worker's half of the HTTP cluster: creates the user's server, counts its requests, reports
// load, and drains on the primary's shutdown call. Connections arrive from the shared socket
// ('os', 'round-robin') or from the primary's hand-off ('least-loaded').
import type { Server, ServerResponse } from 'node:http';
import net, { Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import cluster from 'node:cluster';
import type { Contract } from '../contract/contract.js';
import { connectPrimary, type PrimaryLink } from '../cluster/worker.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Handlers } from '../endpoint/typed.js';
import type { MergedContract } from './control.js';
import { isHandoff } from './handoff.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from './options.js';

/**
 * What `runHttpCluster` resolves to in a worker.
 * @public
 */
export interface HttpClusterWorker<C extends Contract> {
  /** `false`: this is a worker. */
  readonly isPrimary: false;
  /** The worker's link to the primary. */
  readonly primary: PrimaryLink<MergedContract<C>>;
  /** The worker's HTTP server. */
  readonly server: Server;
}

const NS_PER_MS = 1e6;
// The histogram records the time between its timer's ticks; the delay is what exceeds the period.
const LOOP_RESOLUTION_MS = 10;
// How long, once draining, a connection may take to send its first request before it is closed.
const FIRST_REQUEST_GRACE_MS = 1_000;
// How long a worker that failed to start waits for the primary to hear why and stop it.
const FAILED_EXIT_MS = 2_000;

export async function runWorker<C extends Contract>(
  options: HttpClusterOptions<C>,
  resolved: ResolvedHttpOptions,
  contract: MergedContract<C>,
): Promise<HttpClusterWorker<C>> {
  const startedAt = performance.now();
  let inFlight = 0;
  let handled = 0;
  let drain: Promise<{ drained: number; remaining: number }> | undefined;
  let idle: (() => void) | undefined;
  let server: Server | undefined;
  const open = new Set<ServerResponse>();
  /** Every open connection: how many requests it has carried, and how many are in progress. */
  const connections = new Map<Socket, { served: number; busy: number }>();
  /** Connections open whose first request has not arrived: load the balancer should see. */
  let awaitingFirstRequest = 0;
  /** Connections taken from the primary's hand-off. */
  let received = 0;

  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let p50 = 0;
  let p99 = 0;
  const sampleLoop = (): void => {
    if (loop.count > 0) {
      p50 = Math.max(0, loop.percentile(50) / NS_PER_MS - LOOP_RESOLUTION_MS);
      p99 = Math.max(0, loop.percentile(99) / NS_PER_MS - LOOP_RESOLUTION_MS);
    }
    loop.reset();
  };

  /** Closes the kept-alive connections that are between two requests. */
  const closeIdle = (): void => {
    for (const [socket, c] of connections) if (c.served > 0 && c.busy === 0) socket.destroy();
  };
  /** Nothing in progress, and no connection still to send its first request. */
  const drained = (): boolean => inFlight === 0 && ![...connections.values()].some((c) => c.served === 0);
  /** While draining: close what became idle, and finish once nothing is left. */
  const settle = (): void => {
    if (drain === undefined) return;
    closeIdle();
    if (drained()) idle?.();
  };

  const startDrain = (deadlineMs: number): Promise<{ drained: number; remaining: number }> => {
    if (drain !== undefined) return drain;
    const handledBefore = handled;
    drain = (async () => {
      if (server !== undefined) {
        // Stop accepting, without http's close(), which also closes every connection without a
        // request in progress, including one accepted (or handed over) a moment ago whose request
        // has not been read yet: its client would see a reset instead of an answer.
        net.Server.prototype.close.call(server);
        // Responses still to be written tell their clients not to reuse the connection; idle
        // kept-alive connections are closed now, busy ones after their response, and new ones
        // after the request they were opened for.
        for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
        closeIdle();
        setTimeout(() => {
          for (const [socket, c] of connections) if (c.served === 0) socket.destroy();
        }, Math.min(deadlineMs, FIRST_REQUEST_GRACE_MS)).unref();
      }
      if (!drained()) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, deadlineMs).unref();
        });
      }
      return { drained: handled - handledBefore, remaining: inFlight };
    })();
    // Exit once the answer has left: the primary waits for this exit. 0 only when every request
    // was drained: a worker that gave up on some at the deadline must not look like a clean stop.
    void drain.then(({ remaining }) => setImmediate(() => process.exit(remaining > 0 ? 1 : 0)));
    return drain;
  };

  const userHandlers = (options.handlers?.worker ?? {}) as Handlers<C['worker'], HandlerContext>;
  const primary: PrimaryLink<MergedContract<C>> = connectPrimary(contract as MergedContract<Contract>, {
    timeout: resolved.rpcTimeout,
    handlers: {
      ...userHandlers,
      stats: () => {
        const memory = process.memoryUsage();
        return {
          workerId: cluster.worker?.id ?? 0,
          pid: process.pid,
          uptimeMs: performance.now() - startedAt,
          inFlight,
          handled,
          eventLoopDelayP50Ms: p50,
          eventLoopDelayP99Ms: p99,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
        };
      },
      ping: () => {},
      shutdown: ({ deadlineMs }: { deadlineMs: number }) => startDrain(deadlineMs),
    } as never,
  }) as unknown as PrimaryLink<MergedContract<C>>;

  const fail = (error: unknown): Promise<never> => {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = (e as { code?: unknown }).code;
    primary.emit('workerFailed', { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack ? { stack: e.stack } : {}) });
    // Not rethrown: an uncaught rejection would end this process before the report has left (it
    // waits for the link's handshake). The primary stops this worker once the report arrives; exit
    // by ourselves if it does not.
    setTimeout(() => process.exit(1), FAILED_EXIT_MS);
    return new Promise<never>(() => {});
  };

  try {
    server = await options.worker({ primary });
  } catch (error) {
    return fail(error);
  }
  if (typeof server !== 'object' || server === null || typeof server.listen !== 'function' || typeof server.closeIdleConnections !== 'function') {
    return fail(new TypeError('runHttpCluster: the worker factory must return an http.Server (from http.createServer)'));
  }
  const httpServer = server;

  // Counted before the user's handler runs, and uncounted when the response is done or aborted.
  httpServer.prependListener('request', (req, res: ServerResponse) => {
    inFlight++;
    open.add(res);
    const connection = connections.get(req.socket as Socket);
    if (connection !== undefined) {
      if (connection.served === 0) awaitingFirstRequest--;
      connection.served++;
      connection.busy++;
    }
    if (drain !== undefined) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight--;
      handled++;
      open.delete(res);
      if (connection !== undefined) connection.busy--;
      settle();
    });
  });
  // Also sees the connections handed over by the primary, which are emitted as 'connection'.
  httpServer.on('connection', (socket: Socket) => {
    if (connections.has(socket)) return;
    const connection = { served: 0, busy: 0 };
    connections.set(socket, connection);
    awaitingFirstRequest++;
    socket.once('close', () => {
      if (connection.served === 0) awaitingFirstRequest--;
      connections.delete(socket);
      settle();
    });
  });

  // A worker ignores the terminal's Ctrl-C (sent to the whole process group): the primary
  // coordinates shutdown. SIGTERM sent to this worker alone drains it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void startDrain(resolved.shutdownTimeout));

  const report = (): void => {
    if (primary.isConnected) primary.emit('load', { inFlight: inFlight + awaitingFirstRequest, handled, eventLoopDelayP99Ms: p99, connections: received });
  };
  setInterval(() => {
    sampleLoop();
    report();
  }, resolved.loadReportInterval).unref();
  // Each hand-off is acknowledged by a report once this turn of the event loop is done (several
  // hand-offs in one turn share it). A worker busy burning CPU cannot acknowledge, so what it was
  // handed counts against it in the primary until it can: the balancer sees busy workers.
  let acknowledging = false;
  const acknowledge = (): void => {
    acknowledging = false;
    report();
  };

  if (resolved.balance === 'least-loaded') {
    process.on('message', (message: unknown, handle: unknown) => {
      if (!isHandoff(message) || !(handle instanceof Socket)) return;
      received++;
      handle.setNoDelay(true); // as the server's own accept would
      httpServer.emit('connection', handle);
      handle.resume();
      if (!acknowledging) {
        acknowledging = true;
        setImmediate(acknowledge);
      }
    });
    primary.emit('workerListening', {});
  } else {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      httpServer.once('error', onError);
      httpServer.listen(resolved.port, resolved.host, () => {
        httpServer.off('error', onError);
        resolve();
      });
    }).catch(fail);
    primary.emit('workerListening', {});
  }
  return { isPrimary: false, primary, server: httpServer };
}
