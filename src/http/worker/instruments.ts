// A worker's registry and instruments (HTTP requests, process figures, RPC), imported by
// loadWorkerMetrics only when the `metrics` option is on. Never imports src/http/primary.
import { createHttpWorkerMetrics, type HttpWorkerMetricsHooks } from '../../metrics/http.js';
import { combineSnapshots, promClientSnapshot } from '../../metrics/prom-client.js';
import { registerProcessMetrics } from '../../metrics/process.js';
import { createRpcMetrics, type RpcMetricsHooks } from '../../metrics/rpc.js';
import { MetricsRegistry } from '../../metrics/registry.js';
import type { ResolvedHttpMetrics } from '../metrics-options.js';
import type { LoadMeter } from './load-meter.js';
import type { MetricsSnapshot } from '../../metrics/snapshot.js';

/** A worker's metrics: what the control handler answers and what the server feeds. */
export interface WorkerMetrics {
  readonly registry: MetricsRegistry;
  readonly http: HttpWorkerMetricsHooks;
  /** The worker's RPC figures, given to its link to the primary. */
  readonly rpc: RpcMetricsHooks;
  /** The snapshot sent to the primary at each scrape. */
  snapshot(): MetricsSnapshot | Promise<MetricsSnapshot>;
}

/** The worker's registry and instruments. */
export function createWorkerMetrics(options: ResolvedHttpMetrics, meter: LoadMeter<object>): WorkerMetrics {
  const registry = new MetricsRegistry();
  const http = createHttpWorkerMetrics(registry);
  registerProcessMetrics(registry);
  http.watch({ activeRequests: () => meter.inFlight });
  const snapshot = options.promClient ? async () => combineSnapshots(registry.snapshot(), await promClientSnapshot()) : () => registry.snapshot();
  return { registry, http, rpc: createRpcMetrics(registry), snapshot };
}

