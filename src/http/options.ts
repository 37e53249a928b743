// Options of runHttpCluster: defaults in one frozen object, checked once, before anything starts.
import { availableParallelism } from 'node:os';
import type { Server } from 'node:http';
import type { Contract } from '../contract/contract.js';
import { describe } from '../contract/contract.js';
import type { PrimaryLink } from '../cluster/worker.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Serialization } from '../protocol/payload.js';
import { checkCount } from '../endpoint/options.js';
import type { Handlers } from '../endpoint/typed.js';
import type { PrimaryHandlerContext } from '../cluster/primary.js';
import { resolveLogger, type Logger, type LogSink } from '../logger.js';
import type { MergedContract } from './control.js';
import { resolveMetricsOptions, type HttpMetricsOptions, type ResolvedHttpMetrics } from './metrics-options.js';

/**
 * How crashed workers are restarted.
 * @public
 */
export interface RestartOptions {
  /**
   * Delay before the first restart after a crash, in milliseconds.
   * @defaultValue `100`
   */
  readonly initialDelay?: number;
  /**
   * Longest delay between restarts, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly maxDelay?: number;
  /**
   * Each consecutive crash multiplies the delay by this.
   * @defaultValue `2`
   */
  readonly factor?: number;
  /**
   * Randomises each delay by up to this fraction either way, so workers do not restart in step.
   * @defaultValue `0.2`
   */
  readonly jitter?: number;
  /**
   * A worker that stays up this long resets the backoff, in milliseconds.
   * @defaultValue `30_000`
   */
  readonly resetAfter?: number;
  /**
   * More than this many crashes within `window` is a crash loop: restarting stops.
   * @defaultValue `5`
   */
  readonly maxRestarts?: number;
  /**
   * The sliding window for `maxRestarts`, in milliseconds.
   * @defaultValue `60_000`
   */
  readonly window?: number;
}

export const RESTART_DEFAULTS: Required<RestartOptions> = Object.freeze({
  initialDelay: 100,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.2,
  resetAfter: 30_000,
  maxRestarts: 5,
  window: 60_000,
});

/**
 * How the primary spreads connections over workers.
 * - `'least-loaded'`: the primary accepts each connection and hands it to the worker with the
 *   fewest requests in flight.
 * - `'round-robin'`: Node's `SCHED_RR`: the primary accepts and deals connections in turn.
 * - `'os'`: Node's `SCHED_NONE`: every worker accepts from the shared socket; the kernel decides.
 * @public
 */
export type BalanceStrategy = 'least-loaded' | 'round-robin' | 'os';

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
   * How connections are spread.
   * @defaultValue `'least-loaded'`
   */
  readonly balance?: BalanceStrategy;
  /** The user's own contract, served beside the built-in control procedures (whose names are reserved). */
  readonly contract?: C;
  /** Handlers of the user's contract: `primary` runs in the primary, `worker` in each worker. */
  readonly handlers?: {
    readonly primary?: Handlers<C['primary'], PrimaryHandlerContext>;
    readonly worker?: Handlers<C['worker'], HandlerContext>;
  };
  /** Creates the worker's HTTP server (do not call `listen`: the cluster does). Runs in each worker. */
  readonly worker: (context: WorkerContext<C>) => Server | Promise<Server>;
  /**
   * How long a graceful shutdown may take before workers still running are killed, in milliseconds.
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
  readonly handleSignals: boolean;
  readonly exitProcess: boolean;
  readonly logger: LogSink;
  readonly metrics: ResolvedHttpMetrics | undefined;
}

export const HTTP_DEFAULTS = Object.freeze({
  balance: 'least-loaded' as BalanceStrategy,
  shutdownTimeout: 10_000,
  readyTimeout: 10_000,
  heartbeatInterval: 1_000,
  heartbeatTimeout: 5_000,
  loadReportInterval: 250,
  rpcTimeout: 30_000,
  handleSignals: true,
  exitProcess: true,
});

const KNOWN = new Set([
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
  'handleSignals',
  'exitProcess',
  'logger',
  'metrics',
]);

const where = 'runHttpCluster';

/** The longest delay a Node timer holds; a longer one (or Infinity) would fire after 1 ms. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

function duration(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_DELAY) {
    throw new TypeError(`${where}: ${name} must be a positive number of milliseconds up to ${MAX_TIMER_DELAY}, got ${describe(value)}`);
  }
  return value;
}

export function resolveHttpOptions(options: HttpClusterOptions<Contract>): ResolvedHttpOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`);
  const { port } = options;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`${where}: port must be an integer from 0 to 65535, got ${describe(port)}`);
  }
  if (options.host !== undefined && typeof options.host !== 'string') throw new TypeError(`${where}: host must be a string, got ${describe(options.host)}`);
  const workers = options.workers === undefined ? availableParallelism() : checkCount(where, 'workers', options.workers, false);
  const balance = options.balance ?? HTTP_DEFAULTS.balance;
  if (balance !== 'least-loaded' && balance !== 'round-robin' && balance !== 'os') {
    throw new TypeError(`${where}: balance must be 'least-loaded', 'round-robin' or 'os', got ${describe(balance)}`);
  }
  if (typeof options.worker !== 'function') throw new TypeError(`${where}: worker must be a function that creates the HTTP server, got ${describe(options.worker)}`);
  const serialization = options.serialization ?? 'json';
  if (serialization !== 'json' && serialization !== 'advanced') {
    throw new TypeError(`${where}: serialization must be 'json' or 'advanced', got ${describe(serialization)}`);
  }
  const restartIn = options.restart ?? {};
  if (typeof restartIn !== 'object' || restartIn === null) throw new TypeError(`${where}: restart must be an object, got ${describe(restartIn)}`);
  for (const key of Object.keys(restartIn)) if (!Object.hasOwn(RESTART_DEFAULTS, key)) throw new TypeError(`${where}: unknown restart option "${key}"`);
  const r = { ...RESTART_DEFAULTS, ...Object.fromEntries(Object.entries(restartIn).filter(([, v]) => v !== undefined)) };
  checkCount(`${where}: restart`, 'initialDelay', r.initialDelay, false, true);
  duration('restart.maxDelay', r.maxDelay, 0);
  duration('restart.resetAfter', r.resetAfter, 0);
  duration('restart.window', r.window, 0);
  checkCount(`${where}: restart`, 'maxRestarts', r.maxRestarts, true, true);
  if (typeof r.factor !== 'number' || !(r.factor >= 1)) throw new TypeError(`${where}: restart.factor must be a number >= 1, got ${describe(r.factor)}`);
  if (typeof r.jitter !== 'number' || !(r.jitter >= 0 && r.jitter <= 1)) throw new TypeError(`${where}: restart.jitter must be from 0 to 1, got ${describe(r.jitter)}`);
  const bool = (name: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(value)}`);
    return value;
  };
  return Object.freeze({
    port,
    host: options.host,
    workers,
    balance,
    shutdownTimeout: duration('shutdownTimeout', options.shutdownTimeout, HTTP_DEFAULTS.shutdownTimeout),
    readyTimeout: duration('readyTimeout', options.readyTimeout, HTTP_DEFAULTS.readyTimeout),
    heartbeatInterval: duration('heartbeatInterval', options.heartbeatInterval, HTTP_DEFAULTS.heartbeatInterval),
    heartbeatTimeout: duration('heartbeatTimeout', options.heartbeatTimeout, HTTP_DEFAULTS.heartbeatTimeout),
    loadReportInterval: duration('loadReportInterval', options.loadReportInterval, HTTP_DEFAULTS.loadReportInterval),
    rpcTimeout: duration('rpcTimeout', options.rpcTimeout, HTTP_DEFAULTS.rpcTimeout),
    serialization,
    restart: Object.freeze(r),
    handleSignals: bool('handleSignals', options.handleSignals, HTTP_DEFAULTS.handleSignals),
    exitProcess: bool('exitProcess', options.exitProcess, HTTP_DEFAULTS.exitProcess),
    logger: resolveLogger(where, options.logger),
    metrics: resolveMetricsOptions(options.metrics, port),
  });
}
