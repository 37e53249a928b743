// The primary's half of the HTTP cluster, wiring only: forks members and feeds their state machine
// from the hub's events and the workers' exits, restarts crashes by the restart policy, pings,
// deals connections, shuts down; rollouts live in rollout.ts. Decisions live in member, balancer,
// restart-policy and health; never imports src/http/worker.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Contract } from '../../contract/contract.js';
import { createPrimary, type PrimaryHandlerContext, type PrimaryHub } from '../../cluster/primary.js';
import { RpcReloadError, RpcWorkerStartError } from '../errors.js';
import type { Handlers } from '../../endpoint/typed.js';
import { controlHub, userHandlers, type ClusterStats, type ControlContract, type ControlHub, type MergedContract } from '../control.js';
import { log } from '../log.js';
import type { ResolvedHttpOptions } from '../options.js';
import { pickLeastLoaded } from './balancer.js';
import { collectClusterStats } from './cluster-stats.js';
import { ConnectionDealer, type Seat } from './dealer.js';
import { clusterHealth, type ClusterHealth, type SlotVacancy } from './health.js';
import { candidateOf, Member, restartsAfterExit, type HttpWorkerInfo, type WorkerExit } from './member.js';
import { describeLimit, RestartBudget } from './restart-policy.js';
import { ping } from './heartbeat.js';
import { LateRpcHooks, loadPrimaryMetrics } from './late-metrics.js';
import type { PrimaryMetrics } from './metrics.js';
import { forcedLine, retire, retireAll, stopStarting } from './retire.js';
import { Rollout } from './rollout.js';
import { Roster } from './roster.js';
import { tell } from './tell.js';

/** Supervises the forked workers of one HTTP cluster; `runHttpCluster` wraps it in the public app. */
export class Supervisor<C extends Contract = Contract> extends EventEmitter {
  readonly #options: ResolvedHttpOptions;
  readonly #hub: PrimaryHub<MergedContract<C>>;
  readonly #control: ControlHub;
  readonly #budget: RestartBudget;
  readonly #roster = new Roster();
  readonly #restartTimers = new Map<number, NodeJS.Timeout>();
  readonly #vacancies = new Map<number, SlotVacancy>();
  readonly #dealer: ConnectionDealer | undefined;
  readonly #rollout: Rollout;
  /** The primary's metrics (the whole cluster's scrape); undefined when the `metrics` option is off. */
  metrics: PrimaryMetrics | undefined;
  /** The hub's RPC hooks, bound to the metrics once `start()` has loaded them. */
  readonly #rpcHooks: LateRpcHooks | undefined;
  /** Awaited once the workers and the hub have stopped, before `stopped` (the NATS member's leave); each must not reject. */
  readonly afterStop: (() => Promise<void>)[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #booting = true;
  #stopping: Promise<number> | undefined;
  #lastPicked: number | undefined;
  address: AddressInfo | undefined;

  constructor(contract: MergedContract<C>, user: Handlers<C['primary'], PrimaryHandlerContext> | undefined, options: ResolvedHttpOptions) {
    super();
    this.#options = options;
    this.#budget = new RestartBudget(options.restart);
    const control: Handlers<ControlContract['primary'], PrimaryHandlerContext> = { clusterStats: () => this.clusterStats() };
    const handlers: Handlers<MergedContract<C>['primary'], PrimaryHandlerContext> = { ...userHandlers(user), ...control };
    this.#rpcHooks = options.metrics === undefined ? undefined : new LateRpcHooks();
    const rpc = this.#rpcHooks;
    this.#hub = createPrimary(contract, { timeout: options.rpcTimeout, serialization: options.serialization, logger: options.logger, handlers, ...(rpc !== undefined ? { metrics: rpc } : {}) });
    this.#control = controlHub(this.#hub);
    this.#control.on('workerListening', (_payload, ctx) => this.#onListening(ctx.worker.id));
    this.#control.on('workerFailed', (failure, ctx) => this.#onFailed(ctx.worker.id, `${failure.name}: ${failure.message}`));
    this.#control.on('load', (report, ctx) => {
      const member = this.#roster.get(ctx.worker.id);
      if (member !== undefined) member.load = { ...report, reportedAt: performance.now() };
    });
    this.#control.on('error', () => {}); // counted in the hub's stats; a worker's noise never crashes the primary
    this.#dealer = options.balance === 'least-loaded' ? new ConnectionDealer(() => this.#pick()) : undefined;
    this.#rollout = new Rollout({
      roster: this.#roster,
      stopping: () => this.#stopping !== undefined,
      forkSuccessor: (old) => this.#fork(old.slot, old.restarts, true),
      retire: async (member) => {
        const deadlineMs = this.#options.shutdownTimeout;
        const result = await retire(member, { deadlineMs, closeIdle: false, observer: this.metrics });
        // A reload's drain cut short at the deadline is said too, not lost silently.
        if (result !== undefined && !result.clean && this.#stopping === undefined) log(this.#options.logger, 'warn', `reload: ${forcedLine(result, deadlineMs)}`);
        return result;
      },
      refill: (slot, exit, old) => this.#restart(slot, exit, old),
    });
  }

  /**
   * Forks the workers and resolves once every one is ready; fails fast on bad configuration. A
   * stop during the boot (a signal) stops what has started: this then rejects, and `stoppedEarly` says so.
   */
  async start(): Promise<void> {
    if (this.#rpcHooks !== undefined && this.#options.metrics !== undefined) {
      this.metrics = await loadPrimaryMetrics(this.#options.metrics, this.#rpcHooks, { slots: this.#options.workers, members: () => this.#roster.all(), occupants: () => this.#roster.occupants(), connections: () => ({ handedOver: this.#dealer?.handedOver ?? 0, dropped: this.#dealer?.dropped ?? 0 }) });
    }
    if (this.#dealer !== undefined) this.address = await this.#dealer.listen(this.#options.port, this.#options.host);
    await this.metrics?.listen(() => this.#dealer?.close());
    if (this.#stopping !== undefined) {
      await this.#dealer?.close(); // it may have started listening after the stop closed it
      await this.metrics?.close(); // and so may the metrics server
      throw new RpcWorkerStartError(0, 'was never forked: the cluster was stopped while starting');
    }
    const members = Array.from({ length: this.#options.workers }, (_, slot) => this.#fork(slot, 0, false));
    try {
      await Promise.all(members.map((m) => m.ready));
    } catch (error) {
      if (this.#stopping !== undefined) {
        await this.#stopping;
        throw error;
      }
      // A worker that cannot start now will not start on a retry either: stop everything.
      this.#clearRestarts();
      for (const m of this.#roster.all()) {
        m.planned = true;
        m.kill('startup failed');
      }
      await Promise.all(this.#roster.all().map((m) => m.exited));
      await this.#dealer?.close();
      await this.metrics?.close();
      await this.#hub.close();
      throw error;
    }
    this.#booting = false;
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatInterval);
    this.#heartbeat.unref();
  }

  /** Whether a stop came while the cluster was still starting. */
  get stoppedEarly(): boolean {
    return this.#booting && this.#stopping !== undefined;
  }

  get workers(): HttpWorkerInfo[] {
    return this.#roster.all().map((m) => m.info());
  }

  get health(): ClusterHealth {
    return clusterHealth(this.#options.workers, this.#roster.all().map((m) => m.state), this.#vacancies);
  }

  get hub(): PrimaryHub<MergedContract<C>> {
    return this.#hub;
  }

  #tell(event: string, payload: unknown): void {
    tell(this, event, payload, this.#options.logger);
  }

  #fork(slot: number, restarts: number, successor: boolean): Member {
    const handle = this.#control.fork({ TYPED_CLUSTER_RPC_HTTP_SLOT: String(slot) });
    const member = new Member(handle, slot, restarts);
    if (successor) this.#roster.addSuccessor(member);
    else this.#roster.add(member);
    this.#vacancies.delete(slot);
    member.readyTimer = setTimeout(() => {
      const reason = `did not become ready within ${this.#options.readyTimeout} ms`;
      // Out of 'starting' at once, so a late 'listening' cannot make a dying worker ready.
      if (!member.apply('readyTimedOut')) return;
      member.failStart(reason);
      member.kill(reason, 'ready_timeout');
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
    // A rollout's new worker fills its slot the moment it is ready; its predecessor drains next.
    this.#roster.promote(member);
    this.#tell('workerReady', member.info());
    this.#dealer?.wake();
  }

  #onFailed(id: number, failure: string): void {
    const member = this.#roster.get(id);
    if (member === undefined || member.state !== 'starting') return;
    member.failure = failure;
    member.failStart(`failed to start: ${failure}`);
    // It will never serve: stop it now rather than wait for it to give up by itself.
    member.kill(`failed to start (${failure})`);
  }

  #onExit(member: Member, code: number | null, signal: string | null): void {
    const wasStarting = member.state === 'starting';
    const context = {
      planned: member.planned,
      stopping: this.#stopping !== undefined,
      booting: this.#booting,
      wasStarting,
      occupant: this.#roster.occupant(member.slot) === member,
      successorPending: this.#roster.successor(member.slot) !== undefined,
    };
    member.exitCode = code;
    member.apply('exited');
    this.#roster.remove(member);
    const reason = member.exitReason(code, signal);
    // Settles `ready` for a worker that exited before it was ready (no-op once it was).
    member.failStart(`${reason} before it was ready`);
    const exit: WorkerExit = { worker: member.info(), code, signal, planned: member.planned, reason };
    member.exit = exit;
    this.#tell('workerExited', exit);
    if (restartsAfterExit(context)) this.#restart(member.slot, exit, member);
  }

  #restart(slot: number, exit: WorkerExit, member: Member): void {
    const decision = this.#budget.crashed(slot, performance.now(), performance.now() - member.startedAt);
    if (!decision.restart) {
      const limit = describeLimit(decision, slot, this.#options.restart);
      const message = `${limit}; not restarting slot ${slot}. The last worker (pid ${member.handle.pid}) ${exit.reason}.`;
      log(this.#options.logger, 'error', message);
      this.#vacancies.set(slot, { slot, reason: `restarts stopped: ${limit}; the last worker ${exit.reason}`, restarting: false });
      this.#tell('restartsExhausted', { slot, crashes: decision.crashes, lastExit: exit, message, scope: decision.scope });
      this.#tell('degraded', this.health);
      if (this.#roster.live().length === 0 && this.#restartTimers.size === 0) void this.stop();
      return;
    }
    this.#vacancies.set(slot, { slot, reason: `restarting in ${decision.delay} ms: the last worker ${exit.reason}`, restarting: true });
    const timer = setTimeout(() => {
      this.#restartTimers.delete(slot);
      if (this.#stopping !== undefined || this.#roster.filled(slot)) return;
      const replacement = this.#fork(slot, member.restarts + 1, false);
      this.metrics?.restarted(member, exit.signal);
      this.#tell('workerRestarted', { slot, previous: exit, worker: replacement.info(), delayMs: decision.delay });
    }, decision.delay);
    clearTimeout(this.#restartTimers.get(slot));
    this.#restartTimers.set(slot, timer);
  }

  #clearRestarts(): void {
    for (const timer of this.#restartTimers.values()) clearTimeout(timer);
    this.#restartTimers.clear();
  }

  #pick(): Seat | undefined {
    const candidates = this.#roster.inState('ready').map((m) => candidateOf(m, this.#dealer?.offersTo(m.worker)));
    // Two missed reports make a worker's numbers stale.
    const chosen = pickLeastLoaded(candidates, performance.now(), this.#options.loadReportInterval * 3, this.#lastPicked);
    if (chosen === undefined) return undefined;
    this.#lastPicked = chosen.id;
    return this.#roster.get(chosen.id);
  }

  #beat(): void {
    for (const member of this.#roster.inState('ready')) {
      ping(member, this.#options.heartbeatTimeout, (rssBytes) => {
        if (rssBytes > this.#options.maxWorkerRssBytes) this.#recycle(member, rssBytes);
      });
    }
  }

  /** A worker above the memory ceiling: replaced without loss, as one step of a reload. */
  #recycle(member: Member, rssBytes: number): void {
    if (this.#stopping !== undefined || this.#roster.successor(member.slot) !== undefined || this.#roster.occupant(member.slot) !== member) return;
    const limit = this.#options.maxWorkerRssBytes;
    const message = `worker ${member.handle.id} (pid ${member.handle.pid}, slot ${member.slot}) uses ${rssBytes} bytes of RSS, above maxWorkerRssBytes = ${limit}: replacing it`;
    log(this.#options.logger, 'warn', message);
    this.#rollout.replace(member).then(
      () => {
        const replacement = this.#roster.occupant(member.slot);
        this.#tell('workerRecycled', { worker: member.info(), rssBytes, limit, replacement: replacement?.info(), message });
      },
      (error: Error) => log(this.#options.logger, 'error', `replacing worker ${member.handle.id} above the memory ceiling failed: ${error.message}`),
    );
  }

  /** Graceful shutdown. Resolves to the exit code: 0 if every worker drained in time, else 1. */
  stop(): Promise<number> {
    this.#stopping ??= (async () => {
      clearInterval(this.#heartbeat);
      this.#clearRestarts();
      await this.#dealer?.close();
      const deadlineMs = this.#options.shutdownTimeout;
      for (const m of this.#roster.inState('starting')) stopStarting(m);
      const forced = await retireAll(this.#roster.live(), deadlineMs, this.#options.logger, this.metrics);
      if (forced.length > 0) this.#tell('stopForced', { deadlineMs, workers: forced });
      await this.#hub.close();
      await this.metrics?.close();
      for (const hook of this.afterStop) await hook();
      const gaveUp = [...this.#vacancies.values()].some((v) => !v.restarting);
      const code = forced.length > 0 || gaveUp ? 1 : 0;
      this.#tell('stopped', code);
      return code;
    })();
    return this.#stopping;
  }

  /** Stops at once: every worker is killed. */
  async kill(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#clearRestarts();
    for (const m of this.#roster.live()) {
      m.planned = true;
      m.kill('the primary stopped at once');
    }
    await Promise.all(this.#roster.all().map((m) => m.exited));
    await this.metrics?.close();
  }

  /** Replaces every worker (see rollout.ts); refused while the cluster starts or stops. */
  reload(): Promise<void> {
    if (this.#stopping !== undefined) return Promise.reject(new RpcReloadError('reload: the cluster is shutting down'));
    if (this.#booting) return Promise.reject(new RpcReloadError('reload: the cluster is still starting'));
    return this.metrics?.reloading(this.#rollout.reload()) ?? this.#rollout.reload();
  }

  clusterStats(): Promise<ClusterStats> {
    return collectClusterStats(this.#roster.all(), this.#options.heartbeatTimeout);
  }
}
