// A worker's metrics, when the `metrics` option is on: what the worker's code sees of them (the
// snapshot its `metrics` procedure answers, the request timing, the connections a drain left
// unfinished). Their registry and instruments (instruments.ts) are imported only when the option
// is on. Never imports src/http/primary.
import type { MetricsSnapshot } from '../../metrics/snapshot.js';
import type { ResolvedHttpMetrics } from '../metrics-options.js';
import type { WorkerServer } from '../options.js';
import type { WorkerMetrics } from './instruments.js';
import type { LoadMeter } from './load-meter.js';

export type { WorkerMetrics };

const EMPTY: MetricsSnapshot = Object.freeze({ families: Object.freeze([]) as never });

/**
 * The worker's registry and instruments, when the `metrics` option is on: the metrics module is
 * imported only then (a worker without them never loads it). Undefined when off.
 */
export async function loadWorkerMetrics(options: ResolvedHttpMetrics | undefined, meter: LoadMeter<object>): Promise<WorkerMetrics | undefined> {
  if (options === undefined) return undefined;
  const { createWorkerMetrics } = await import('./instruments.js');
  return createWorkerMetrics(options, meter);
}

/** What the `metrics` procedure answers: the worker's snapshot, or no family when metrics are off. */
export function metricsAnswer(metrics: WorkerMetrics | undefined): MetricsSnapshot | Promise<MetricsSnapshot> {
  return metrics === undefined ? EMPTY : metrics.snapshot();
}

/** What the timing needs of a request and of its response, HTTP/1 (http, https) and HTTP/2 alike. */
interface TimedRequest {
  readonly method?: string | undefined;
}
interface TimedResponse {
  readonly statusCode: number;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Times every request of the server into `http_server_request_duration_seconds`: from the
 * request's arrival (before the user's handler) to its response finishing or being aborted.
 */
export function observeRequests(server: WorkerServer, metrics: WorkerMetrics | undefined): void {
  if (metrics === undefined) return;
  const { http } = metrics;
  server.prependListener('request', (req: TimedRequest, res: TimedResponse) => {
    const started = performance.now();
    res.once('close', () => http.requestFinished(req.method ?? '', res.statusCode, (performance.now() - started) / 1000));
  });
}

/**
 * Connections a drain leaves unfinished: a request still in progress, or no request yet. Read
 * when the drain ends; after a clean drain none is left (only idle ones, which are closed).
 */
export function unfinishedConnections(meter: LoadMeter<object>): number {
  let open = 0;
  for (const [, c] of meter.connections()) if (c.busy > 0 || c.served === 0) open++;
  return open;
}

/** The `shutdown` answer with the connections the drain left unfinished, which the process exit closes. */
export async function withUnfinished<R extends object>(result: Promise<R>, meter: LoadMeter<object>): Promise<R & { closed: number }> {
  const r = await result;
  return { ...r, closed: unfinishedConnections(meter) };
}
