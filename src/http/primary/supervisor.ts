// The primary's half of the HTTP cluster, wiring only: forks members and feeds their state machine
// from the hub's events and the workers' exits, restarts crashes by the restart policy, pings,
// deals connections, shuts down and reloads. Decisions live in member, balancer and restart-policy;
// never imports src/http/worker.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Contract } from '../../contract/contract.js';
import { createPrimary, type PrimaryHandlerContext, type PrimaryHub } from '../../cluster/primary.js';
import { RpcTimeoutError } from '../../errors.js';
import { RpcReloadError } from '../errors.js';
import type { Handlers } from '../../endpoint/typed.js';
import { unacknowledged } from '../handoff.js';
import { controlHub, userHandlers, type ClusterStats, type ControlContract, type ControlHub, type MergedContract } from '../control.js';
import type { ResolvedHttpOptions } from '../options.js';
import { pickLeastLoaded } from './balancer.js';
import { collectClusterStats } from './cluster-stats.js';
import { ConnectionDealer, type Seat } from './dealer.js';
import { Member, restartsAfterExit, type HttpWorkerInfo, type WorkerExit } from './member.js';
import { PrimaryMetrics } from './metrics.js';
import { RestartBudget } from './restart-policy.js';
import { retire } from './retire.js';
import { Roster } from './roster.js';

/** Supervises the forked workers of one HTTP cluster; `runHttpCluster` wraps it in the public app. */
export class Supervisor<C extends Contract = Contract> extends EventEmitter {
  readonly #options: ResolvedHttpOptions;
  readonly #hub: PrimaryHub<MergedContract<C>>;
  readonly #control: ControlHub;
  readonly #budget: RestartBudget;
  readonly #roster = new Roster();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  readonly #dealer: ConnectionDealer | undefined;
  readonly #metrics: PrimaryMetrics | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #booting = true;
  #stopping: Promise<number> | undefined;
  #reloading: Promise<void> | undefined;
  #gaveUp = false;
  #lastPicked: number | undefined;
  address: AddressInfo | undefined;

  constructor(contract: MergedContract<C>, user: Handlers<C['primary'], PrimaryHandlerContext> | undefined, options: ResolvedHttpOptions) {
    super();
    this.#options = options;
    this.#budget = new RestartBudget(options.restart);
    const control: Handlers<ControlContract['primary'], PrimaryHandlerContext> = { clusterStats: () => this.clusterStats() };
    const handlers: Handlers<MergedContract<C>['primary'], PrimaryHandlerContext> = { ...userHandlers(user), ...control };
    this.#metrics = options.metrics === undefined ? undefined : new PrimaryMetrics(options.metrics, { slots: options.workers, members: () => this.#roster.all(), occupants: () => this.#roster.occupants(), connections: () => ({ handedOver: this.#dealer?.handedOver ?? 0, dropped: this.#dealer?.dropped ?? 0 }) });
    // TODO(metrics-rpc): add `metrics: this.#metrics?.rpc` to createPrimary's options once EndpointOptions takes `metrics` (wip-mrpc).
    this.#hub = createPrimary(contract, { timeout: options.rpcTimeout, serialization: options.serialization, logger: options.logger, handlers });
    this.#control = controlHub(this.#hub);
    this.#control.on('workerListening', (_payload, ctx) => this.#onListening(ctx.worker.id));
    this.#control.on('workerFailed', (failure, ctx) => this.#onFailed(ctx.worker.id, `${failure.name}: ${failure.message}`));
    this.#control.on('load', (report, ctx) => {
      const member = this.#roster.get(ctx.worker.id);
      if (member !== undefined) member.load = { ...report, reportedAt: performance.now() };
    });
    this.#control.on('error', () => {}); // counted in the hub's stats; a worker's noise never crashes the primary
    this.#dealer = options.balance === 'least-loaded' ? new ConnectionDealer(() => this.#pick()) : undefined;
  }

  /**
   * Emits to the user's listeners. One that throws must not break the supervisor, which emits
   * from inside the cluster's own event handlers: its error is reported as a warning.
   */
  #tell(event: string, payload: unknown): void {
    for (const listener of this.listeners(event)) {
      try {
        (listener as (value: unknown) => void)(payload);
      } catch (error) {
        this.#options.logger.warn(`a '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Forks the workers and resolves once every one is ready; fails fast on bad configuration. */
  async start(): Promise<void> {
    if (this.#dealer !== undefined) this.address = await this.#dealer.listen(this.#options.port, this.#options.host);
    await this.#metrics?.listen(() => this.#dealer?.close());
    const members = Array.from({ length: this.#options.workers }, (_, slot) => this.#fork(slot, 0));
    try {
      await Promise.all(members.map((m) => m.ready));
    } catch (error) {
      // A worker that cannot start now will not start on a retry either: stop everything.
      this.#clearRestarts();
      for (const m of this.#roster.all()) {
        m.planned = true;
        m.kill('startup failed');
      }
      await Promise.all(this.#roster.all().map((m) => m.exited));
      await this.#dealer?.close();
      await this.#metrics?.close();
      await this.#hub.close();
      throw error;
    }
    this.#booting = false;
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatInterval);
    this.#heartbeat.unref();
  }

  get workers(): HttpWorkerInfo[] {
    return this.#roster.all().map((m) => m.info());
  }

  get hub(): PrimaryHub<MergedContract<C>> {
    return this.#hub;
  }

  #fork(slot: number, restarts: number): Member {
    const handle = this.#control.fork({ TYPED_CLUSTER_RPC_HTTP_SLOT: String(slot) });
    const member = new Member(handle, slot, restarts);
    this.#roster.add(member);
    member.readyTimer = setTimeout(() => {
      const reason = `did not become ready within ${this.#options.readyTimeout} ms`;
      // Out of 'starting' at once, so a late 'listening' cannot make a dying worker ready.
      if (!member.apply('readyTimedOut')) return;
      this.#metrics?.killing(member, 'ready_timeout');
      member.failStart(reason);
      member.kill(reason);
    }, this.#options.readyTimeout);
    member.readyTimer.unref();
    if (this.#options.balance !== 'least-loaded') {
      handle.worker.once('listening', (address: { address: string | null; port: number; addressType: number | string }) => {
        this.address ??= { address: address.address ?? '::', port: address.port, family: String(address.addressType) };
      });
    }
    handle.worker.once('exit', (code: number | null, signal: string | null) => this.#onExit(member, code, signal));
    return member;
  }

  #onListening(id: number): void {
    const member = this.#roster.get(id);
    if (member === undefined || !member.apply('listening')) return;
    this.#tell('workerReady', member.info());
    this.#dealer?.wake();
  }

  #onFailed(id: number, failure: string): void {
    const member = this.#roster.get(id);
    if (member === undefined || member.state !== 'starting') return;
    member.failure = failure;
    member.failStart(`failed to start: ${failure}`);
    this.#metrics?.killing(member, 'start_failed');
    // It will never serve: stop it now rather than wait for it to give up by itself.
    member.kill(`failed to start (${failure})`);
  }

  #onExit(member: Member, code: number | null, signal: string | null): void {
    const wasStarting = member.state === 'starting';
    member.exitCode = code;
    member.apply('exited');
    this.#roster.remove(member);
    const reason = member.exitReason(code, signal);
    if (wasStarting) member.failStart(`${reason} before it was ready`);
    const exit: WorkerExit = { worker: member.info(), code, signal, planned: member.planned, reason };
    this.#tell('workerExited', exit);
    const context = { planned: member.planned, stopping: this.#stopping !== undefined, booting: this.#booting, wasStarting, succeeded: this.#roster.filled(member.slot) };
    if (restartsAfterExit(context)) this.#restart(member, exit);
  }

  #restart(member: Member, exit: WorkerExit): void {
    const decision = this.#budget.crashed(member.slot, performance.now(), performance.now() - member.startedAt);
    if (!decision.restart) {
      this.#gaveUp = true;
      const message =
        `typed-cluster-rpc: ${decision.crashes} worker crashes within ${this.#options.restart.window} ms ` +
        `(more than restart.maxRestarts = ${this.#options.restart.maxRestarts}); not restarting slot ${member.slot}. ` +
        `The last worker (pid ${member.handle.pid}) ${exit.reason}.`;
      this.#options.logger.error(message);
      this.#tell('restartsExhausted', { slot: member.slot, crashes: decision.crashes, lastExit: exit, message });
      if (this.#roster.live().length === 0 && this.#restartTimers.size === 0) void this.stop();
      return;
    }
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (this.#stopping !== undefined) return;
      const replacement = this.#fork(member.slot, member.restarts + 1);
      this.#metrics?.restarted(member, exit.signal);
      this.#tell('workerRestarted', { slot: member.slot, previous: exit, worker: replacement.info(), delayMs: decision.delay });
    }, decision.delay);
    this.#restartTimers.add(timer);
  }

  #clearRestarts(): void {
    for (const timer of this.#restartTimers) clearTimeout(timer);
    this.#restartTimers.clear();
  }

  #pick(): Seat | undefined {
    const candidates = this.#roster.inState('ready').map((m) => ({
      id: m.handle.id,
      inFlight: m.load?.inFlight ?? 0,
      handedSinceReport: unacknowledged(m.handedOver, m.load?.connections),
      reportedAt: m.load?.reportedAt ?? m.startedAt,
    }));
    // Two missed reports make a worker's numbers stale.
    const chosen = pickLeastLoaded(candidates, performance.now(), this.#options.loadReportInterval * 3, this.#lastPicked);
    if (chosen === undefined) return undefined;
    this.#lastPicked = chosen.id;
    return this.#roster.get(chosen.id);
  }

  #beat(): void {
    for (const member of this.#roster.inState('ready')) {
      if (member.pinging) continue;
      member.pinging = true;
      member.handle.call('ping', undefined, { timeout: this.#options.heartbeatTimeout }).then(
        () => {
          member.pinging = false;
        },
        (error: unknown) => {
          member.pinging = false;
          // An event loop that does not answer gets no new connections, then is replaced.
          if (error instanceof RpcTimeoutError && member.apply('unresponsive')) {
            this.#metrics?.killing(member, 'heartbeat_timeout');
            member.kill(`did not answer the heartbeat within ${this.#options.heartbeatTimeout} ms`);
          }
        },
      );
    }
  }

  /** Graceful shutdown. Resolves to the exit code: 0 if every worker drained in time, else 1. */
  stop(): Promise<number> {
    this.#stopping ??= (async () => {
      clearInterval(this.#heartbeat);
      this.#clearRestarts();
      await this.#dealer?.close();
      const killed = await Promise.all(this.#roster.live().map((m) => retire(m, this.#options.shutdownTimeout, this.#metrics)));
      await this.#hub.close();
      await this.#metrics?.close();
      const code = killed.some(Boolean) || this.#gaveUp ? 1 : 0;
      this.#tell('stopped', code);
      return code;
    })();
    return this.#stopping;
  }

  /** Stops at once: every worker is killed. */
  async kill(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const timer of this.#restartTimers) clearTimeout(timer);
    for (const m of this.#roster.live()) {
      m.planned = true;
      m.kill('the primary stopped at once');
    }
    await Promise.all(this.#roster.all().map((m) => m.exited));
    await this.#metrics?.close();
  }

  /** Replaces every worker, one at a time, the new one ready before the old one drains. */
  reload(): Promise<void> {
    if (this.#stopping !== undefined) return Promise.reject(new RpcReloadError('reload: the cluster is shutting down'));
    const reloadStarted = performance.now();
    this.#reloading ??= (async () => {
      for (const old of this.#roster.occupants()) {
        if (this.#stopping !== undefined) throw new RpcReloadError('reload: the cluster started shutting down');
        if (old.state !== 'gone') await this.#replace(old);
      }
    })().finally(() => {
      this.#reloading = undefined;
    });
    this.#metrics?.reloading(this.#reloading, reloadStarted);
    return this.#reloading;
  }

  /** One step of a reload: a new worker for the slot, ready before the old one drains. */
  async #replace(old: Member): Promise<void> {
    const fresh = this.#fork(old.slot, old.restarts);
    try {
      await fresh.ready;
    } catch (error) {
      fresh.planned = true;
      fresh.kill('reload: not ready');
      await fresh.exited;
      if (old.state !== 'gone') this.#roster.restore(old);
      const message = `reload stopped: the new worker for slot ${old.slot} failed (${(error as Error).message}); the old workers keep serving`;
      throw new RpcReloadError(message, old.slot, { cause: error });
    }
    await retire(old, this.#options.shutdownTimeout, this.#metrics);
  }

  /** The primary's metrics (the whole cluster's scrape); undefined when the `metrics` option is off. */
  get metrics(): PrimaryMetrics | undefined {
    return this.#metrics;
  }

  clusterStats(): Promise<ClusterStats> {
    return collectClusterStats(this.#roster.all(), this.#options.heartbeatTimeout);
  }
}
