// Options of runHttpCluster: defaults in one frozen object, checked once, before anything starts.
import { availableParallelism } from 'node:os';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Http2SecureServer } from 'node:http2';
import type { Contract } from '../contract/contract.js';
import { checkBoolean, checkCount, checkDuration, checkOneOf, checkOptions, checkSerialization, describe } from '../checks.js';
import type { PrimaryLink } from '../cluster/worker.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Serialization } from '../protocol/payload.js';
import type { Handlers } from '../endpoint/typed.js';
import type { PrimaryHandlerContext } from '../cluster/primary.js';
import { resolveLogger, type Logger, type LogSink } from '../logger.js';
import type { MergedContract } from './control.js';
import { resolveMetricsOptions, type HttpMetricsOptions, type ResolvedHttpMetrics } from './metrics-options.js';
import { resolveHttpNats, type HttpNatsOptions, type ResolvedHttpNats } from './nats-options.js';
import { resolveRestart, type RestartOptions } from './restart-options.js';

/**
 * How the primary spreads connections over workers.
 * - `'least-loaded'`: the primary accepts each connection and hands it to the worker with the
 *   fewest requests in flight.
 * - `'round-robin'`: Node's `SCHED_RR`: the primary accepts and deals connections in turn.
 * - `'os'`: Node's `SCHED_NONE`: every worker accepts from the shared socket; the kernel decides.
 * @public
 */
export type BalanceStrategy = 'least-loaded' | 'round-robin' | 'os';

const BALANCE_STRATEGIES: readonly BalanceStrategy[] = Object.freeze(['least-loaded', 'round-robin', 'os']);

/**
 * A server a worker may serve with: `http.createServer()`, `https.createServer()`, or
 * `http2.createSecureServer()` (with `allowHTTP1: true` for HTTP/1.1 clients too). TLS is handled
 * in the worker, whatever the balance strategy.
 * @public
 */
export type WorkerServer = Server | HttpsServer | Http2SecureServer;

/**
 * What a worker's server factory receives.
 * @public
 */
export interface WorkerContext<C extends Contract> {
  /** The worker's link to the primary, for the user's contract and the built-ins (`clusterStats`). */
  readonly primary: PrimaryLink<MergedContract<C>>;
}

/**
 * Options of {@link runHttpCluster}. The same object is evaluated in the primary and in every worker.
 * @public
 */
export interface HttpClusterOptions<C extends Contract = Contract<{}, {}, {}>> {
  /** The port to listen on; 0 picks a free one (read it from `app.address`). */
  readonly port: number;
  /**
   * The address to listen on.
   * @defaultValue every interface
   */
  readonly host?: string;
  /**
   * How many workers.
   * @defaultValue `os.availableParallelism()`
   */
  readonly workers?: number;
  /**
   * How connections are spread. `'os'` measured best with a new connection per request and with a
   * worker whose event loop blocks; `'least-loaded'` had the shortest tails with kept-alive
   * connections of uneven cost (the README has the numbers and when to choose which).
   * @defaultValue `'os'`
   */
  readonly balance?: BalanceStrategy;
  /** The user's own contract, served beside the built-in control procedures (whose names are reserved). */
  readonly contract?: C;
  /** Handlers of the user's contract: `primary` runs in the primary, `worker` in each worker. */
  readonly handlers?: {
    readonly primary?: Handlers<C['primary'], PrimaryHandlerContext>;
    readonly worker?: Handlers<C['worker'], HandlerContext>;
  };
  /** Creates the worker's HTTP, HTTPS or HTTP/2 server (do not call `listen`: the cluster does). Runs in each worker. */
  readonly worker: (context: WorkerContext<C>) => WorkerServer | Promise<WorkerServer>;
  /**
   * How long a worker's drain may take, in a shutdown or a reload, in milliseconds. At the deadline
   * the worker cuts off what is left and exits 1; one that cannot (a blocked event loop) is killed
   * one second later.
   * @defaultValue `10_000`
   */
  readonly shutdownTimeout?: number;
  /**
   * How long a new worker has to start listening before it is killed (and counted as a crash), in milliseconds.
   * @defaultValue `10_000`
   */
  readonly readyTimeout?: number;
  /**
   * How often the primary pings each worker, in milliseconds.
   * @defaultValue `1_000`
   */
  readonly heartbeatInterval?: number;
  /**
   * A worker that does not answer a ping within this time gets no new connections and is replaced, in milliseconds.
   * @defaultValue `5_000`
   */
  readonly heartbeatTimeout?: number;
  /**
   * How often each worker reports its load, in milliseconds.
   * @defaultValue `250`
   */
  readonly loadReportInterval?: number;
  /**
   * The IPC serialization of the workers. `'json'` by default here (the RPC core's default is
   * `'advanced'`): in `'least-loaded'` and `'round-robin'` every connection crosses IPC with its
   * socket handle, and that costs less over `'json'` (measured on a plain node:cluster round-robin
   * hello-world with a new connection per request: 36 µs of the primary's CPU per connection over
   * `'json'`, 63 µs over `'advanced'`). Payloads of your own contract that JSON would change are refused
   * before sending, with `RPC_UNSERIALIZABLE`.
   * @defaultValue `'json'`
   */
  readonly serialization?: Serialization;
  /**
   * The default timeout of RPC calls on `app.hub` and on each worker's link to the primary, in
   * milliseconds (the cluster's own calls carry their own timeouts).
   * @defaultValue `30_000`
   */
  readonly rpcTimeout?: number;
  /** Backoff and crash-loop limits for crashed workers. */
  readonly restart?: RestartOptions;
  /**
   * A memory ceiling per worker, in bytes of resident set size (RSS), checked at every heartbeat: a
   * worker above it is replaced by a rolling replacement that loses no request (a new worker
   * first, then the old one drains), and the `workerRecycled` event and a log line say so.
   * `Infinity`: no ceiling.
   * @defaultValue `Infinity`
   */
  readonly maxWorkerRssBytes?: number;
  /**
   * Handle SIGTERM and SIGINT (graceful shutdown; a second one stops at once) and SIGHUP (reload) in the primary.
   * @defaultValue `true`
   */
  readonly handleSignals?: boolean;
  /**
   * End the primary process with the shutdown's exit code when the cluster stops (a signal, `close()`, or the supervisor giving up).
   * @defaultValue `true`
   */
  readonly exitProcess?: boolean;
  /**
   * Where the cluster writes its own messages (a worker that could not restart, a listener that
   * threw, a failed reload), in the primary and in the workers.
   * @defaultValue errors to `console.error`, warnings through `process.emitWarning`, info to `console.info`
   */
  readonly logger?: Logger;
  /**
   * Metrics of the whole cluster in Prometheus text: `{}` to collect them (read with
   * `app.metrics()`), `{ port }` to serve them from the primary on their own port too.
   * @defaultValue off
   */
  readonly metrics?: HttpMetricsOptions;
  /**
   * Joins every process to a NATS namespace (`typed-cluster-rpc/nats`, with the optional peer
   * `@nats-io/transport-node`), so clusters on several machines reach one another: every worker
   * serves the user's worker procedures, `stats` and `ping`; the primary serves `clusterStats`.
   * Read the members from `app.nats`. A NATS failure never stops the cluster: it is logged, and
   * `app.nats` rejects.
   * @defaultValue off
   */
  readonly nats?: HttpNatsOptions;
}

export interface ResolvedHttpOptions {
  readonly port: number;
  readonly host: string | undefined;
  readonly workers: number;
  readonly balance: BalanceStrategy;
  readonly shutdownTimeout: number;
  readonly readyTimeout: number;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly loadReportInterval: number;
  readonly rpcTimeout: number;
  readonly serialization: Serialization;
  readonly restart: Required<RestartOptions>;
  readonly maxWorkerRssBytes: number;
  readonly handleSignals: boolean;
  readonly exitProcess: boolean;
  readonly logger: LogSink;
  readonly metrics: ResolvedHttpMetrics | undefined;
  readonly nats: ResolvedHttpNats | undefined;
}

/** The defaults of {@link HttpClusterOptions}, resolved once. */
export const HTTP_DEFAULTS = Object.freeze({
  balance: 'os' as BalanceStrategy,
  shutdownTimeout: 10_000,
  readyTimeout: 10_000,
  heartbeatInterval: 1_000,
  heartbeatTimeout: 5_000,
  loadReportInterval: 250,
  rpcTimeout: 30_000,
  serialization: 'json' as Serialization,
  handleSignals: true,
  exitProcess: true,
});

const KNOWN: readonly string[] = Object.freeze([
  'port',
  'host',
  'workers',
  'balance',
  'contract',
  'handlers',
  'worker',
  'shutdownTimeout',
  'readyTimeout',
  'heartbeatInterval',
  'heartbeatTimeout',
  'loadReportInterval',
  'rpcTimeout',
  'serialization',
  'restart',
  'maxWorkerRssBytes',
  'handleSignals',
  'exitProcess',
  'logger',
  'metrics',
  'nats',
]);

const where = 'runHttpCluster';

function durationOr(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkDuration(where, name, value, false);
}

function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`${where}: port must be an integer from 0 to 65535, got ${describe(port)}`);
  }
  return port;
}

/** Checks the options once, before anything starts, and resolves them over {@link HTTP_DEFAULTS}. */
export function resolveHttpOptions(options: HttpClusterOptions<Contract>): ResolvedHttpOptions {
  const o = { ...HTTP_DEFAULTS, ...checkOptions(where, options, KNOWN) } as Record<string, unknown> & typeof HTTP_DEFAULTS;
  if (o['host'] !== undefined && typeof o['host'] !== 'string') throw new TypeError(`${where}: host must be a string, got ${describe(o['host'])}`);
  if (typeof o['worker'] !== 'function') throw new TypeError(`${where}: worker must be a function that creates the HTTP server, got ${describe(o['worker'])}`);
  const rss = o['maxWorkerRssBytes'];
  const port = checkPort(o['port']);
  return Object.freeze({
    port,
    host: o['host'] as string | undefined,
    workers: o['workers'] === undefined ? availableParallelism() : checkCount(where, 'workers', o['workers'], false),
    balance: checkOneOf(where, 'balance', o.balance, BALANCE_STRATEGIES),
    shutdownTimeout: checkDuration(where, 'shutdownTimeout', o.shutdownTimeout, false),
    readyTimeout: checkDuration(where, 'readyTimeout', o.readyTimeout, false),
    heartbeatInterval: checkDuration(where, 'heartbeatInterval', o.heartbeatInterval, false),
    heartbeatTimeout: checkDuration(where, 'heartbeatTimeout', o.heartbeatTimeout, false),
    loadReportInterval: checkDuration(where, 'loadReportInterval', o.loadReportInterval, false),
    rpcTimeout: checkDuration(where, 'rpcTimeout', o.rpcTimeout, false),
    serialization: checkSerialization(where, o.serialization),
    restart: resolveRestart(o['restart']),
    maxWorkerRssBytes: rss === undefined ? Infinity : checkCount(where, 'maxWorkerRssBytes', rss, true),
    handleSignals: checkBoolean(where, 'handleSignals', o.handleSignals),
    exitProcess: checkBoolean(where, 'exitProcess', o.exitProcess),
    logger: resolveLogger(where, o['logger']),
    metrics: resolveMetricsOptions(o['metrics'], port),
    nats: resolveHttpNats(o['nats']),
  });
}
