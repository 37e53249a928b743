// The worker's half of the HTTP cluster, wiring only: the load meter, the drain and the link to
// the primary, the user's server, signals, and the traffic. Never imports src/http/primary.
import net, { type Socket } from 'node:net';
import type { Contract } from '../../contract/contract.js';
import type { PrimaryLink } from '../../cluster/worker.js';
import { controlLink, type MergedContract } from '../control.js';
import type { HttpClusterOptions, ResolvedHttpOptions, WorkerServer } from '../options.js';
import { Drain } from './drain.js';
import { connectWorker, reportFailure, type WorkerParts } from './link.js';
import { LoadMeter } from './load-meter.js';
import { LoopDelay } from './loop-delay.js';
import { loadWorkerMetrics, observeRequests } from './metrics.js';
import type { HttpNatsMembership } from '../nats-options.js';
import { joinWorkerNats } from './nats.js';
import { instrument, reportLoad, takeTraffic } from './serve.js';

/**
 * What `runHttpCluster` resolves to in a worker.
 * @public
 */
export interface HttpClusterWorker<C extends Contract> {
  /** `false`: this is a worker. */
  readonly isPrimary: false;
  /** The worker's link to the primary. */
  readonly primary: PrimaryLink<MergedContract<C>>;
  /** The worker's server, as the factory returned it. */
  readonly server: WorkerServer;
  /**
   * This worker's member of the NATS namespace (the `nats` option): resolves once it joined (call
   * other members, broadcast to every worker of every machine, listen to events); rejects when it
   * could not join (logged too). `undefined` without the option.
   */
  readonly nats: HttpNatsMembership<C, 'worker'> | undefined;
}

// http, https and http2 servers are all net servers (TLS ones through tls.Server) with a
// request timeout; a bare net.Server has none.
function isWorkerServer(value: unknown): value is WorkerServer {
  return value instanceof net.Server && typeof (value as { setTimeout?: unknown }).setTimeout === 'function';
}

/** Runs this process as one worker of the HTTP cluster: serves until the primary drains it. */
export async function runWorker<C extends Contract>(options: HttpClusterOptions<C>, resolved: ResolvedHttpOptions, contract: MergedContract<C>): Promise<HttpClusterWorker<C>> {
  let server: WorkerServer | undefined;
  // Joined once the metrics are loaded; a drain before that has no member to wait for.
  let nats: ReturnType<typeof joinWorkerNats<C>> = undefined;
  const meter = new LoadMeter<Socket>();
  const drain = new Drain(meter, {
    // Stop accepting, without http's close(), which also closes every connection without a
    // request in progress, including one accepted (or handed over) a moment ago whose request
    // has not been read yet: its client would see a reset instead of an answer.
    stopAccepting: () => net.Server.prototype.close.call(server),
    schedule: (callback, ms) => void setTimeout(callback, ms).unref(),
    // Exit once the answer has left: the primary waits for this exit.
    exit: (code) => void setImmediate(() => process.exit(code)),
    // The NATS member drains beside the HTTP drain, and the exit waits for its goodbye.
    leave: (deadlineMs) => nats?.leave(deadlineMs) ?? Promise.resolve(),
  });
  // From the first line, before the server exists: a worker ignores the terminal's Ctrl-C (sent to
  // the whole process group; the primary coordinates), and a SIGTERM sent to it alone drains it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void drain.start(resolved.shutdownTimeout));
  const metrics = await loadWorkerMetrics(resolved.metrics, meter);
  const parts: WorkerParts = { meter, loop: new LoopDelay(), drain, metrics };
  nats = joinWorkerNats(options, resolved, parts);
  const primary = connectWorker(options, resolved, contract, parts);
  const link = controlLink(primary);

  try {
    server = await options.worker({ primary });
  } catch (error) {
    return reportFailure(link, error);
  }
  if (!isWorkerServer(server)) {
    return reportFailure(link, new TypeError('runHttpCluster: the worker factory must return a server from http.createServer, https.createServer or http2.createSecureServer'));
  }
  const httpServer = server;
  instrument(httpServer, parts);
  observeRequests(httpServer, metrics);

  const report = reportLoad(link, parts, resolved.loadReportInterval);
  await takeTraffic(httpServer, resolved, parts, report).catch((error: unknown) => reportFailure(link, error));
  link.emit('workerListening', {});
  return { isPrimary: false, primary, server: httpServer, nats: nats?.member };
}
