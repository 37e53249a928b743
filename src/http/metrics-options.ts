// The `metrics` option of runHttpCluster: what it holds, its defaults, and the checks made once,
// in the primary and in every worker (the same options object is evaluated in each).
import { describe } from '../checks.js';

/**
 * The HTTP cluster's metrics (the `metrics` option of `runHttpCluster`). Present, even empty,
 * it turns them on: every worker keeps a registry and answers the primary's scrape, and
 * `app.metrics()` returns the whole cluster's Prometheus text. With `port`, the primary also
 * serves it at `http://host:port/path`, never on the application's port.
 * @public
 */
export interface HttpMetricsOptions {
  /**
   * Where the primary serves `/metrics`; 0 picks a free port (read it from `app.metricsAddress`).
   * Omit it to serve `app.metrics()` yourself. Must differ from the application's `port`.
   * @defaultValue no server
   */
  readonly port?: number;
  /**
   * The address the metrics server listens on. The default keeps the metrics off the network.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * The path that answers.
   * @defaultValue `'/metrics'`
   */
  readonly path?: string;
  /**
   * How long a scrape waits for each worker (all are asked at once), in milliseconds. A worker
   * that does not answer in time shows as `cluster_worker_up 0`; the scrape still answers.
   * @defaultValue `1_000`
   */
  readonly timeout?: number;
  /**
   * Merge prom-client's default registry of every process (the primary's and each worker's)
   * into the scrape, each worker's under its `worker` label. Needs prom-client installed.
   * @defaultValue `false`
   */
  readonly promClient?: boolean;
}

/** The metrics option, checked, with its defaults. */
export interface ResolvedHttpMetrics {
  readonly port: number | undefined;
  readonly host: string;
  readonly path: string;
  readonly timeout: number;
  readonly promClient: boolean;
}

export const HTTP_METRICS_DEFAULTS = Object.freeze({ host: '127.0.0.1', path: '/metrics', timeout: 1_000, promClient: false });

const KNOWN = new Set(['port', 'host', 'path', 'timeout', 'promClient']);
const where = 'runHttpCluster: metrics';

/** Checks the `metrics` option against the application's port; undefined when metrics are off. */
export function resolveMetricsOptions(value: unknown, appPort: number): ResolvedHttpMetrics | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${where} must be an object ({} to collect, { port } to serve too), got ${describe(value)}`);
  for (const key of Object.keys(value)) if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`);
  const { port, host = HTTP_METRICS_DEFAULTS.host, path = HTTP_METRICS_DEFAULTS.path, timeout = HTTP_METRICS_DEFAULTS.timeout, promClient = HTTP_METRICS_DEFAULTS.promClient } = value as HttpMetricsOptions;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new TypeError(`${where}.port must be an integer from 0 to 65535, got ${describe(port)}`);
  }
  if (port !== undefined && port !== 0 && port === appPort) {
    throw new TypeError(`${where}.port must differ from the application's port (${appPort}): metrics are never served on the application's port`);
  }
  if (typeof host !== 'string' || host.length === 0) throw new TypeError(`${where}.host must be a non-empty string, got ${describe(host)}`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError(`${where}.path must be a string starting with "/", got ${describe(path)}`);
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > 2 ** 31 - 1) {
    throw new TypeError(`${where}.timeout must be a positive number of milliseconds up to ${2 ** 31 - 1}, got ${describe(timeout)}`);
  }
  if (typeof promClient !== 'boolean') throw new TypeError(`${where}.promClient must be a boolean, got ${describe(promClient)}`);
  return Object.freeze({ port, host, path, timeout, promClient });
}
