// The HTTP cluster's instruments: hooks for the worker runtime (requests) and for the supervisor
// (restarts, reloads, drains), and the gauges read from the supervisor's own view at each scrape.
import { METRICS } from './definitions.js';
import type { MetricsRegistry } from './registry.js';
import { optionsOf } from './rpc.js';

/**
 * The hooks an HTTP worker calls: once per finished request, and once to show its requests in progress.
 * @public
 */
export interface HttpWorkerMetricsHooks {
  /** A request's response finished or was aborted, `seconds` after the request arrived. */
  requestFinished(method: string, statusCode: number, seconds: number): void;
  /** Reads `activeRequests` at each snapshot (one source; a second call replaces the first). */
  watch(view: { activeRequests(): number }): void;
}

/**
 * Why a crashed worker was replaced.
 * @public
 */
export type RestartReason = 'exit' | 'signal' | 'ready_timeout' | 'heartbeat_timeout' | 'start_failed';

/**
 * What the supervisor shows of itself at each scrape.
 * @public
 */
export interface HttpClusterView {
  /** Every worker: its slot, state, and the balancer's load figure while it is ready. */
  workers(): Iterable<{ readonly slot: number; readonly state: string; readonly load?: number | undefined }>;
  /** The dealer's counts since the primary started (`'least-loaded'`; zeros otherwise). */
  connections(): { readonly handedOver: number; readonly dropped: number };
}

/**
 * The hooks the HTTP cluster's primary calls.
 * @public
 */
export interface HttpPrimaryMetricsHooks {
  /** A crashed worker's replacement was forked. */
  workerRestarted(reason: RestartReason): void;
  /** A rolling restart ended. */
  reloadFinished(outcome: 'ok' | 'failed', seconds: number): void;
  /** A worker asked to drain exited, `seconds` after it was asked; `forced` connections were still open at its deadline; `killed` if the primary had to kill it. */
  workerDrained(seconds: number, forced: number, killed: boolean): void;
  /** Reads `view` at each snapshot (one view; a second call replaces the first). */
  watch(view: HttpClusterView): void;
}

// RFC 9110 methods; anything else is `_OTHER`, as OpenTelemetry's semantic conventions say, so a
// client cannot grow the label set.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const RESTART_REASONS = new Set<string>(['exit', 'signal', 'ready_timeout', 'heartbeat_timeout', 'start_failed']);
const STATES = ['starting', 'ready', 'draining'] as const;

/**
 * Declares the HTTP worker's metrics in `registry` and returns the hooks that feed them.
 * @public
 */
export function createHttpWorkerMetrics(registry: MetricsRegistry): HttpWorkerMetricsHooks {
  const duration = registry.histogram(optionsOf(METRICS.requestDuration));
  let view: { activeRequests(): number } | undefined;
  registry.observedGauge({ ...optionsOf(METRICS.activeRequests), read: () => view?.activeRequests() ?? 0 });
  const handles = new Map<string, { observe(value: number): void }>();
  return {
    requestFinished: (method, statusCode, seconds) => {
      const m = METHODS.has(method) ? method : '_OTHER';
      const status = Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? String(statusCode) : '_OTHER';
      const key = `${m} ${status}`;
      let h = handles.get(key);
      if (h === undefined) handles.set(key, (h = duration.child({ http_request_method: m, http_response_status_code: status })));
      h.observe(seconds);
    },
    watch: (v) => {
      view = v;
    },
  };
}

/**
 * Declares the HTTP primary's metrics in `registry` and returns the hooks that feed them.
 * @public
 */
export function createHttpPrimaryMetrics(registry: MetricsRegistry): HttpPrimaryMetricsHooks {
  let view: HttpClusterView | undefined;
  const restarts = registry.counter(optionsOf(METRICS.restarts));
  for (const reason of RESTART_REASONS) restarts.inc({ reason }, 0);
  const reloads = registry.counter(optionsOf(METRICS.reloads));
  for (const outcome of ['ok', 'failed']) reloads.inc({ outcome }, 0);
  const reloadDuration = registry.histogram(optionsOf(METRICS.reloadDuration));
  const drainDuration = registry.histogram(optionsOf(METRICS.drainDuration));
  const forced = registry.counter(optionsOf(METRICS.forcedClosed));
  const kills = registry.counter(optionsOf(METRICS.drainKills));
  forced.inc(undefined, 0);
  kills.inc(undefined, 0);
  registry.observedGauge({
    ...optionsOf(METRICS.workers),
    read: () => {
      const counts = new Map<string, number>(STATES.map((s) => [s, 0]));
      for (const w of view?.workers() ?? []) if (counts.has(w.state)) counts.set(w.state, counts.get(w.state)! + 1);
      return [...counts].map(([state, n]) => [{ state }, n] as const);
    },
  });
  registry.observedGauge({
    ...optionsOf(METRICS.workerLoad),
    read: () => [...(view?.workers() ?? [])].flatMap((w) => (w.state === 'ready' && typeof w.load === 'number' ? [[{ worker: String(w.slot) }, w.load] as const] : [])),
  });
  registry.observedCounter({ ...optionsOf(METRICS.handedOver), read: () => view?.connections().handedOver ?? 0 });
  registry.observedCounter({ ...optionsOf(METRICS.handoffDropped), read: () => view?.connections().dropped ?? 0 });
  return {
    workerRestarted: (reason) => restarts.inc({ reason: RESTART_REASONS.has(reason) ? reason : 'exit' }),
    reloadFinished: (outcome, seconds) => {
      reloads.inc({ outcome: outcome === 'ok' ? 'ok' : 'failed' });
      reloadDuration.observe(undefined, seconds);
    },
    workerDrained: (seconds, forcedCount, killed) => {
      drainDuration.observe(undefined, seconds);
      if (forcedCount > 0) forced.inc(undefined, forcedCount);
      if (killed) kills.inc();
    },
    watch: (v) => {
      view = v;
    },
  };
}
