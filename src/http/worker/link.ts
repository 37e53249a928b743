// The worker's RPC link to the primary: the user's handlers beside the control ones (stats, ping,
// shutdown), and the report of a server that could not start.
import cluster from 'node:cluster';
import type { Socket } from 'node:net';
import type { Contract } from '../../contract/contract.js';
import { connectPrimary, type PrimaryLink } from '../../cluster/worker.js';
import type { HandlerContext } from '../../endpoint/dispatch.js';
import type { Handlers } from '../../endpoint/typed.js';
import { userHandlers, type ControlContract, type ControlLink, type MergedContract, type WorkerStats } from '../control.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from '../options.js';
import type { Drain } from './drain.js';
import type { LoadMeter } from './load-meter.js';
import type { LoopDelay } from './loop-delay.js';
import { metricsAnswer, withUnfinished, type WorkerMetrics } from './metrics.js';

// How long a worker that failed to start waits for the primary to hear why and stop it.
const FAILED_EXIT_MS = 2_000;

/** What the control handlers read and drive. */
export interface WorkerParts {
  readonly meter: LoadMeter<Socket>;
  readonly loop: LoopDelay;
  readonly drain: Drain<Socket>;
  /** The worker's metrics; undefined when the `metrics` option is off. */
  readonly metrics?: WorkerMetrics | undefined;
}

/** This worker's own stats, as the `stats` procedure answers. */
export function workerStats({ meter, loop }: WorkerParts): WorkerStats {
  const memory = process.memoryUsage();
  return {
    workerId: cluster.worker?.id ?? 0,
    pid: process.pid,
    uptimeMs: meter.uptime(),
    inFlight: meter.inFlight,
    handled: meter.handled,
    eventLoopDelayP50Ms: loop.p50,
    eventLoopDelayP99Ms: loop.p99,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
  };
}

/** Connects to the primary, serving the user's worker procedures and the control ones. */
export function connectWorker<C extends Contract>(options: HttpClusterOptions<C>, resolved: ResolvedHttpOptions, contract: MergedContract<C>, parts: WorkerParts): PrimaryLink<MergedContract<C>> {
  const control: Handlers<ControlContract['worker'], HandlerContext> = {
    stats: () => workerStats(parts),
    ping: () => ({ rssBytes: process.memoryUsage.rss() }),
    shutdown: ({ deadlineMs, closeIdle }) => withUnfinished(parts.drain.start(deadlineMs, { closeIdle: closeIdle ?? true }), parts.meter),
    metrics: () => metricsAnswer(parts.metrics),
  };
  const handlers: Handlers<MergedContract<C>['worker'], HandlerContext> = { ...userHandlers(options.handlers?.worker), ...control };
  const metrics = parts.metrics?.rpc;
  return connectPrimary(contract, { timeout: resolved.rpcTimeout, logger: resolved.logger, handlers, ...(metrics !== undefined ? { metrics } : {}) });
}

/**
 * Tells the primary why this worker's server could not start, and never settles: an uncaught
 * rejection would end this process before the report has left (it waits for the link's
 * handshake). The primary stops this worker once the report arrives; it exits by itself if not.
 */
export function reportFailure(link: ControlLink, error: unknown): Promise<never> {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  link.emit('workerFailed', { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack ? { stack: e.stack } : {}) });
  setTimeout(() => process.exit(1), FAILED_EXIT_MS);
  return new Promise<never>(() => {});
}
