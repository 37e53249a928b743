/**
 * typed-cluster-rpc/http: a forked HTTP cluster built on typed-cluster-rpc: load reporting over RPC,
 * balancing by the kernel (the default) or by the primary's least-loaded hand-off, restart with
 * backoff, coordinated shutdown and rolling restart, optionally joined to a NATS namespace.
 *
 * @packageDocumentation
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Contract } from '../contract/contract.js';
import type { PrimaryHub } from '../cluster/primary.js';
import { mergeContracts, type ClusterStats, type MergedContract } from './control.js';
import { resolveHttpOptions, type HttpClusterOptions } from './options.js';
import type { ClusterHealth } from './primary/health.js';
import type { HttpWorkerInfo, WorkerExit } from './primary/member.js';
import type { RetiredWorker } from './primary/retire.js';
import { applySchedulingPolicy } from './primary/scheduling.js';
import { wireProcess } from './primary/signals.js';
import { prepareNats, type PrimaryNatsJoin } from './primary/nats.js';
import type { HttpNatsMembership } from './nats-options.js';
import { Supervisor } from './primary/supervisor.js';
import { runWorker, type HttpClusterWorker } from './worker/runtime.js';

export type { BalanceStrategy, HttpClusterOptions, WorkerContext, WorkerServer } from './options.js';
export type { RestartOptions } from './restart-options.js';
export type { HttpMetricsOptions } from './metrics-options.js';
export type { HttpNatsConnection, HttpNatsMemberOptions, HttpNatsMembership, HttpNatsOptions, NatsClusterContract } from './nats-options.js';
export type { HttpWorkerInfo, WorkerExit, WorkerLoad } from './primary/member.js';
export type { ClusterHealth, SlotVacancy } from './primary/health.js';
export type { RetiredWorker } from './primary/retire.js';
export type { HttpClusterWorker } from './worker/runtime.js';
export type { Logger } from '../logger.js';
export type { ClusterStats, MergedContract, ControlContract, WorkerState } from './control.js';
export { natsClusterContract } from './nats-options.js';
export { RpcReloadError, RpcSchedulingPolicyError, RpcWorkerStartError } from './errors.js';

/**
 * What `runHttpCluster` resolves to in the primary.
 * @public
 */
export interface HttpClusterPrimary<C extends Contract> {
  /** `true`: this is the primary. */
  readonly isPrimary: true;
  /** Where the cluster listens. */
  readonly address: AddressInfo;
  /** Every worker: id, pid, slot, state, restarts and latest load. */
  readonly workers: readonly HttpWorkerInfo[];
  /** Configured and ready workers, and the slots left without one (a restart pending, or given up), and why. */
  readonly health: ClusterHealth;
  /** The RPC hub: call any worker (`hub.worker(id)?.call('stats')`), broadcast, emit. */
  readonly hub: PrimaryHub<MergedContract<C>>;
  /** Asks every worker for its stats. */
  stats(): Promise<ClusterStats>;
  /**
   * The whole cluster's metrics as Prometheus text (format 0.0.4), for serving them yourself:
   * every worker asked at once under `metrics.timeout`, each one's series labelled by its slot
   * (`worker="0"`, …), `cluster_worker_up` 0 for one that did not answer. Never waits past the
   * timeout because of a dead or stopped worker.
   * @throws `TypeError` (rejects) when the `metrics` option is off.
   */
  metrics(): Promise<string>;
  /** Where the primary serves `/metrics` (the `metrics.port` option); undefined without one. */
  readonly metricsAddress: AddressInfo | undefined;
  /**
   * The primary's member of the NATS namespace (the `nats` option): resolves once it joined; from
   * it, call any worker of any machine, one by id, or `broadcast('stats')` to all of them. Rejects
   * when it could not join (logged too; the cluster serves HTTP either way). It leaves after
   * `close()`. `undefined` without the option.
   */
  readonly nats: HttpNatsMembership<C, 'primary'> | undefined;
  /**
   * Rolling restart: replaces workers one at a time, each new one ready before the old one
   * drains; the old workers' drains overlap, and resolves once every old worker has exited. A
   * reload while one runs joins it. Rejects with `RpcReloadError`, leaving the old worker of that
   * slot serving, when a new worker fails to become ready, and while the cluster starts or stops.
   */
  reload(): Promise<void>;
  /**
   * Graceful shutdown: stop accepting, drain every worker within `shutdownTimeout` (what is left
   * then is cut off, and a worker that cannot answer is killed), reported by `stopForced`. Resolves
   * to the exit code (0: all drained; 1: the deadline cut a drain short, or the supervisor had given
   * up on a slot); with `exitProcess`, the process then exits with it.
   */
  close(): Promise<number>;
  /** A worker is listening and gets traffic. */
  on(event: 'workerReady', listener: (worker: HttpWorkerInfo) => void): this;
  /** A worker exited, planned or not. */
  on(event: 'workerExited', listener: (exit: WorkerExit) => void): this;
  /** A crashed worker's replacement was forked. */
  on(event: 'workerRestarted', listener: (event: { slot: number; previous: WorkerExit; worker: HttpWorkerInfo; delayMs: number }) => void): this;
  /**
   * The crash-loop limit was reached: the slot is not restarted (`scope: 'slot'`: its own
   * `maxRestarts`; `'cluster'`: the `maxClusterRestarts` ceiling).
   */
  on(event: 'restartsExhausted', listener: (event: { slot: number; crashes: number; lastExit: WorkerExit; message: string; scope: 'slot' | 'cluster' }) => void): this;
  /** Restarts stopped for a slot: the cluster runs with fewer workers than configured, as `health` shows. */
  on(event: 'degraded', listener: (health: ClusterHealth) => void): this;
  /** A worker above `maxWorkerRssBytes` was replaced (its replacement ready, then it drained). */
  on(event: 'workerRecycled', listener: (event: { worker: HttpWorkerInfo; rssBytes: number; limit: number; replacement: HttpWorkerInfo | undefined; message: string }) => void): this;
  /** A shutdown's deadline cut some workers' drains short: what each drained and cut off (one log line each, too). */
  on(event: 'stopForced', listener: (event: { deadlineMs: number; workers: readonly RetiredWorker[] }) => void): this;
  /** The cluster stopped, with this exit code. */
  on(event: 'stopped', listener: (code: number) => void): this;
}

class App<C extends Contract> implements HttpClusterPrimary<C> {
  readonly isPrimary = true;
  readonly #supervisor: Supervisor<C>;
  readonly nats: HttpNatsMembership<C, 'primary'> | undefined;
  constructor(supervisor: Supervisor<C>, nats: HttpNatsMembership<C, 'primary'> | undefined) {
    this.#supervisor = supervisor;
    this.nats = nats;
  }
  get address(): AddressInfo {
    return this.#supervisor.address!;
  }
  get workers(): HttpWorkerInfo[] {
    return this.#supervisor.workers;
  }
  get health(): ClusterHealth {
    return this.#supervisor.health;
  }
  get hub(): PrimaryHub<MergedContract<C>> {
    return this.#supervisor.hub;
  }
  stats(): Promise<ClusterStats> {
    return this.#supervisor.clusterStats();
  }
  metrics(): Promise<string> {
    const metrics = this.#supervisor.metrics;
    if (metrics === undefined) return Promise.reject(new TypeError('app.metrics(): metrics are off; pass runHttpCluster({ metrics: {} }) to collect them ({ port } to serve them too)'));
    return metrics.exposition();
  }
  get metricsAddress(): AddressInfo | undefined {
    return this.#supervisor.metrics?.address;
  }
  reload(): Promise<void> {
    return this.#supervisor.reload();
  }
  close(): Promise<number> {
    return this.#supervisor.stop();
  }
  on(event: string, listener: (...args: any[]) => void): this {
    this.#supervisor.on(event, listener);
    return this;
  }
}

/**
 * Runs a forked HTTP cluster. Call it from a file that runs as the primary and as every worker:
 * in the primary it forks and supervises the workers and resolves once all are ready; in a
 * worker it creates the server with `options.worker` and serves.
 *
 * @throws `TypeError` for bad options; `RpcSchedulingPolicyError` when this process forked before.
 * Rejects when the port is in use, or with `RpcWorkerStartError` when a worker fails to start.
 * Signals are handled from the call on: a SIGTERM or SIGINT during the boot stops what has started;
 * with `exitProcess` the process then exits with the stop's code and the promise never settles,
 * without it the promise rejects with `RpcWorkerStartError`.
 * @example
 * ```ts
 * const app = await runHttpCluster({
 *   port: 8000,
 *   worker: () => http.createServer((req, res) => res.end(`handled by ${process.pid}\n`)),
 * });
 * ```
 * @public
 */
export async function runHttpCluster<C extends Contract = Contract<{}, {}, {}>>(
  options: HttpClusterOptions<C>,
): Promise<HttpClusterPrimary<C> | HttpClusterWorker<C>> {
  const resolved = resolveHttpOptions(options as HttpClusterOptions<Contract>);
  const contract = mergeContracts(options.contract);
  if (!cluster.isPrimary) return runWorker(options, resolved, contract);

  applySchedulingPolicy(resolved.balance);
  const supervisor = new Supervisor(contract, options.handlers?.primary, resolved);
  // Signals are wired in the same tick as the call, before any await.
  const unwire = wireProcess(supervisor, resolved);
  // The NATS wiring is loaded and its options checked before the first fork; the join then runs
  // beside the boot (not at all when a signal stopped the cluster during the import).
  let joinNats: PrimaryNatsJoin<C> | undefined;
  try {
    joinNats = resolved.nats === undefined ? undefined : await prepareNats(options, resolved);
  } catch (error) {
    unwire();
    await supervisor.hub.close();
    throw error;
  }
  const nats = supervisor.stoppedEarly ? undefined : joinNats?.(supervisor);
  try {
    await supervisor.start();
  } catch (error) {
    if (!supervisor.stoppedEarly) {
      unwire();
      await nats?.leave(resolved.shutdownTimeout);
    }
    // Stopped by a signal while starting: the process exits with the stop's code once it is over.
    else if (resolved.exitProcess) return new Promise<never>(() => {});
    throw error;
  }
  return new App(supervisor, nats?.member);
}
