// The primary's half of the HTTP cluster: forks and supervises workers (ready timeout, heartbeat,
// restart with backoff, crash-loop limit), deals connections, shuts down and reloads.
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Contract } from '../contract/contract.js';
import { createPrimary, type PrimaryHandlerContext, type PrimaryHub, type WorkerHandle } from '../cluster/primary.js';
import { describeExit, RpcTimeoutError } from '../errors.js';
import type { Handlers } from '../endpoint/typed.js';
import { pickLeastLoaded } from './balancer.js';
import type { MergedContract } from './control.js';
import { ConnectionDealer, type Seat } from './dealer.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from './options.js';
import { RestartBudget } from './restart-policy.js';

/**
 * A worker's life: `starting` until it listens, `ready` while it gets traffic, `draining` once it
 * was asked to stop (or stopped answering), `gone` after it exited.
 * @public
 */
export type WorkerState = 'starting' | 'ready' | 'draining' | 'gone';

/**
 * A worker's latest load report.
 * @public
 */
export interface WorkerLoad {
  /** Requests in flight. */
  readonly inFlight: number;
  /** Requests handled since the worker started. */
  readonly handled: number;
  /** Event-loop delay p99 over the last report interval, in milliseconds. */
  readonly eventLoopDelayP99Ms: number;
  /** Connections the worker has taken from the primary (`'least-loaded'`), since it started. */
  readonly connections: number;
  /** When the report arrived (`performance.now()` in the primary). */
  readonly reportedAt: number;
}

/**
 * One worker of the HTTP cluster, as `app.workers` shows it.
 * @public
 */
export interface HttpWorkerInfo {
  /** The cluster worker id. */
  readonly id: number;
  /** The process id. */
  readonly pid: number | undefined;
  /** The position the worker fills; a replacement takes the same slot. */
  readonly slot: number;
  /** Where the worker is in its life. */
  readonly state: WorkerState;
  /** How many times this slot's worker was restarted after a crash. */
  readonly restarts: number;
  /** The latest load report, once one arrived. */
  readonly load: WorkerLoad | undefined;
}

/**
 * How a worker exited.
 * @public
 */
export interface WorkerExit {
  /** The worker as it was. */
  readonly worker: HttpWorkerInfo;
  /** Its exit code, if it exited. */
  readonly code: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: string | null;
  /** `true` for a stop the cluster asked for (shutdown, reload); `false` for a crash. */
  readonly planned: boolean;
  /** Why, in words: `exited with code 1`, `did not become ready within 10000 ms`, … */
  readonly reason: string;
}

class Member implements Seat {
  state: WorkerState = 'starting';
  planned = false;
  /** Set when the cluster itself killed the worker, to say why. */
  killedFor: string | undefined;
  load: WorkerLoad | undefined;
  /** Connections handed to this worker since it started; those it has not yet reported taking count as load. */
  handedOver = 0;
  readonly startedAt = performance.now();
  readyTimer: NodeJS.Timeout | undefined;
  pinging = false;
  failure: string | undefined;
  /** The exit code, once the worker exited (null when a signal ended it). */
  exitCode: number | null | undefined;
  readonly ready: Promise<void>;
  markReady!: () => void;
  markFailed!: (error: Error) => void;
  readonly exited: Promise<void>;
  markExited!: () => void;

  constructor(
    readonly handle: WorkerHandle<Contract>,
    readonly slot: number,
    readonly restarts: number,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.markFailed = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  get worker() {
    return this.handle.worker;
  }

  handed(): void {
    this.handedOver++;
  }

  info(): HttpWorkerInfo {
    return { id: this.handle.id, pid: this.handle.pid, slot: this.slot, state: this.state, restarts: this.restarts, load: this.load };
  }

  kill(reason: string): void {
    this.killedFor ??= reason;
    if (this.state !== 'gone') this.worker.process.kill('SIGKILL');
  }
}


export class Supervisor extends EventEmitter {
  readonly #options: ResolvedHttpOptions;
  readonly #hub: PrimaryHub<MergedContract<Contract>>;
  readonly #budget: RestartBudget;
  readonly #members = new Map<number, Member>();
  readonly #slots = new Map<number, Member>();
  readonly #restartTimers = new Set<NodeJS.Timeout>();
  readonly #dealer: ConnectionDealer | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #booting = true;
  #stopping: Promise<number> | undefined;
  #reloading: Promise<void> | undefined;
  #gaveUp = false;
  #lastPicked: number | undefined;
  address: AddressInfo | undefined;

  constructor(userOptions: HttpClusterOptions<Contract>, options: ResolvedHttpOptions, contract: MergedContract<Contract>) {
    super();
    this.#options = options;
    this.#budget = new RestartBudget(options.restart);
    const userHandlers = (userOptions.handlers?.primary ?? {}) as Handlers<Contract['primary'], PrimaryHandlerContext>;
    this.#hub = createPrimary(contract, {
      timeout: options.rpcTimeout,
      serialization: options.serialization,
      handlers: { ...userHandlers, clusterStats: () => this.clusterStats() } as never,
    });
    this.#hub.on('workerListening', (_payload, ctx) => this.#onListening(ctx.worker.id));
    this.#hub.on('workerFailed', (failure, ctx) => {
      const member = this.#members.get(ctx.worker.id);
      if (member === undefined || member.state !== 'starting') return;
      member.failure = `${failure.name}: ${failure.message}`;
      member.markFailed(new Error(`worker ${ctx.worker.id} failed to start: ${member.failure}`));
      // It will never serve: stop it now rather than wait for it to give up by itself.
      member.kill(`failed to start (${member.failure})`);
    });
    this.#hub.on('load', (report, ctx) => {
      const member = this.#members.get(ctx.worker.id);
      if (member === undefined) return;
      member.load = { ...report, reportedAt: performance.now() };
    });
    this.#hub.on('error', () => {}); // counted in the hub's stats; a worker's noise never crashes the primary
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
        process.emitWarning(`a '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`, { type: 'ClusterRpcWarning' });
      }
    }
  }

  /** Forks the workers and resolves once every one is ready; fails fast on bad configuration. */
  async start(): Promise<void> {
    if (this.#dealer !== undefined) {
      this.address = await this.#dealer.listen(this.#options.port, this.#options.host);
    }
    const members = Array.from({ length: this.#options.workers }, (_, slot) => this.#fork(slot, 0));
    try {
      await Promise.all(members.map((m) => m.ready));
    } catch (error) {
      // A worker that cannot start now will not start on a retry either: stop everything.
      for (const timer of this.#restartTimers) clearTimeout(timer);
      this.#restartTimers.clear();
      for (const m of this.#members.values()) {
        m.planned = true;
        m.kill('startup failed');
      }
      await Promise.all([...this.#members.values()].map((m) => m.exited));
      await this.#dealer?.close();
      await this.#hub.close();
      throw error;
    }
    this.#booting = false;
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatInterval);
    this.#heartbeat.unref();
  }

  get workers(): HttpWorkerInfo[] {
    return [...this.#members.values()].map((m) => m.info());
  }

  get hub(): PrimaryHub<MergedContract<Contract>> {
    return this.#hub;
  }

  #fork(slot: number, restarts: number): Member {
    const handle = this.#hub.fork({ TYPED_CLUSTER_RPC_HTTP_SLOT: String(slot) });
    const member = new Member(handle, slot, restarts);
    this.#members.set(handle.id, member);
    this.#slots.set(slot, member);
    member.readyTimer = setTimeout(() => {
      if (member.state !== 'starting') return;
      const reason = `did not become ready within ${this.#options.readyTimeout} ms`;
      member.markFailed(new Error(`worker ${handle.id} ${reason}`));
      // Out of 'starting' at once, so a late 'listening' cannot make a dying worker ready.
      member.state = 'draining';
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
    const member = this.#members.get(id);
    if (member === undefined || member.state !== 'starting') return;
    clearTimeout(member.readyTimer);
    member.state = 'ready';
    member.load = { inFlight: 0, handled: 0, eventLoopDelayP99Ms: 0, connections: 0, reportedAt: performance.now() };
    member.markReady();
    this.#tell('workerReady', member.info());
    this.#dealer?.wake();
  }

  #onExit(member: Member, code: number | null, signal: string | null): void {
    clearTimeout(member.readyTimer);
    const wasStarting = member.state === 'starting';
    member.state = 'gone';
    member.exitCode = code;
    member.markExited();
    this.#members.delete(member.handle.id);
    if (this.#slots.get(member.slot) === member) this.#slots.delete(member.slot);
    const reason = member.killedFor ?? (member.failure !== undefined ? `failed to start (${member.failure})` : describeExit(code, signal));
    if (wasStarting) member.markFailed(new Error(`worker ${member.handle.id} ${reason} before it was ready`));
    const exit: WorkerExit = { worker: member.info(), code, signal, planned: member.planned, reason };
    this.#tell('workerExited', exit);
    if (member.planned || this.#stopping !== undefined) return;
    // While booting, a worker that never became ready fails the start (start() stops them all);
    // one that was ready and then crashed is restarted like any other, or its slot stays empty.
    if (this.#booting && wasStarting) return;
    this.#restart(member, exit);
  }

  #restart(member: Member, exit: WorkerExit): void {
    // A worker whose slot already has a successor (a reload forked it) needs no replacement.
    if (this.#slots.has(member.slot) && this.#slots.get(member.slot) !== member) return;
    const decision = this.#budget.crashed(member.slot, performance.now(), performance.now() - member.startedAt);
    if (!decision.restart) {
      this.#gaveUp = true;
      const message =
        `typed-cluster-rpc: ${decision.crashes} worker crashes within ${this.#options.restart.window} ms ` +
        `(more than restart.maxRestarts = ${this.#options.restart.maxRestarts}); not restarting slot ${member.slot}. ` +
        `The last worker (pid ${member.handle.pid}) ${exit.reason}.`;
      console.error(message);
      this.#tell('restartsExhausted', { slot: member.slot, crashes: decision.crashes, lastExit: exit, message });
      if (this.#live().length === 0 && this.#restartTimers.size === 0) void this.stop();
      return;
    }
    const timer = setTimeout(() => {
      this.#restartTimers.delete(timer);
      if (this.#stopping !== undefined) return;
      const replacement = this.#fork(member.slot, member.restarts + 1);
      this.#tell('workerRestarted', { slot: member.slot, previous: exit, worker: replacement.info(), delayMs: decision.delay });
    }, decision.delay);
    this.#restartTimers.add(timer);
  }

  #live(): Member[] {
    return [...this.#members.values()].filter((m) => m.state !== 'gone');
  }

  #pick(): Seat | undefined {
    const ready = [...this.#members.values()].filter((m) => m.state === 'ready');
    const chosen = pickLeastLoaded(
      ready.map((m) => ({
        id: m.handle.id,
        inFlight: m.load?.inFlight ?? 0,
        // Cumulative counts on both sides: no reset at each report, so a report cannot make a
        // worker look idle while connections are still on their way to it.
        handedSinceReport: m.handedOver - (m.load?.connections ?? 0),
        reportedAt: m.load?.reportedAt ?? m.startedAt,
      })),
      performance.now(),
      // Two missed reports make a worker's numbers stale.
      this.#options.loadReportInterval * 3,
      this.#lastPicked,
    );
    if (chosen === undefined) return undefined;
    this.#lastPicked = chosen.id;
    return this.#members.get(chosen.id);
  }

  #beat(): void {
    for (const member of this.#members.values()) {
      if (member.state !== 'ready' || member.pinging) continue;
      member.pinging = true;
      member.handle.call('ping' as never, undefined as never, { timeout: this.#options.heartbeatTimeout }).then(
        () => {
          member.pinging = false;
        },
        (error: unknown) => {
          member.pinging = false;
          if (!(error instanceof RpcTimeoutError) || member.state !== 'ready') return;
          // An event loop that does not answer gets no new connections, then is replaced.
          member.state = 'draining';
          member.kill(`did not answer the heartbeat within ${this.#options.heartbeatTimeout} ms`);
        },
      );
    }
  }

  /** Asks a worker to drain and waits for it to exit, killing it at the deadline. Returns whether it failed to drain (killed, or exited non-zero). */
  async #retire(member: Member, deadlineMs: number): Promise<boolean> {
    if (member.state === 'gone') return false;
    member.planned = true;
    member.state = 'draining';
    let killed = false;
    const timer = setTimeout(() => {
      killed = member.state !== 'gone';
      member.kill(`still running at the shutdown deadline (${deadlineMs} ms)`);
    }, deadlineMs);
    timer.unref();
    member.handle.call('shutdown' as never, { deadlineMs } as never, { timeout: deadlineMs + 1_000 }).catch(() => {});
    await member.exited;
    clearTimeout(timer);
    // The worker's own drain timer may beat ours to the deadline: it then exits 1, not 0.
    return killed || member.exitCode !== 0;
  }

  /** Graceful shutdown. Resolves to the exit code: 0 if every worker drained in time, else 1. */
  stop(): Promise<number> {
    this.#stopping ??= (async () => {
      clearInterval(this.#heartbeat);
      for (const timer of this.#restartTimers) clearTimeout(timer);
      this.#restartTimers.clear();
      await this.#dealer?.close();
      const killed = await Promise.all(this.#live().map((m) => this.#retire(m, this.#options.shutdownTimeout)));
      await this.#hub.close();
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
    for (const m of this.#live()) {
      m.planned = true;
      m.kill('the primary stopped at once');
    }
    await Promise.all([...this.#members.values()].map((m) => m.exited));
  }

  /** Replaces every worker, one at a time, the new one ready before the old one drains. */
  reload(): Promise<void> {
    if (this.#stopping !== undefined) return Promise.reject(new Error('reload: the cluster is shutting down'));
    this.#reloading ??= (async () => {
      for (const old of [...this.#slots.values()]) {
        if (this.#stopping !== undefined) throw new Error('reload: the cluster started shutting down');
        if (old.state === 'gone') continue;
        const fresh = this.#fork(old.slot, old.restarts);
        try {
          await fresh.ready;
        } catch (error) {
          fresh.planned = true;
          fresh.kill('reload: not ready');
          await fresh.exited;
          if ((old.state as WorkerState) !== 'gone') this.#slots.set(old.slot, old);
          throw new Error(`reload stopped: the new worker for slot ${old.slot} failed (${(error as Error).message}); the old workers keep serving`, { cause: error });
        }
        await this.#retire(old, this.#options.shutdownTimeout);
      }
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async clusterStats() {
    const members = [...this.#members.values()];
    const results = await Promise.all(
      members.map((m) =>
        m.state === 'gone'
          ? Promise.resolve({ error: 'gone' })
          : (m.handle.call('stats' as never, undefined as never, { timeout: this.#options.heartbeatTimeout }) as unknown as Promise<Record<string, number>>).then(
              (stats) => ({ stats }),
              (error: Error) => ({ error: error.message }),
            ),
      ),
    );
    const workers = members.map((m, i) => ({ id: m.handle.id, ...(m.handle.pid !== undefined ? { pid: m.handle.pid } : {}), state: m.state, restarts: m.restarts, ...results[i] }));
    const totals = { workers: members.length, ready: 0, inFlight: 0, handled: 0 };
    for (const w of workers) {
      if (w.state === 'ready') totals.ready++;
      if ('stats' in w && w.stats !== undefined) {
        totals.inFlight += w.stats['inFlight'] ?? 0;
        totals.handled += w.stats['handled'] ?? 0;
      }
    }
    return { workers, totals } as never;
  }
}

/** Node fixes the scheduling policy at the first fork; set it before, or say why it cannot be. */
export function applySchedulingPolicy(balance: ResolvedHttpOptions['balance']): void {
  const wanted = balance === 'round-robin' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  if (cluster.schedulingPolicy === wanted) return;
  if (Object.keys(cluster.settings).length > 0) {
    throw new Error(`runHttpCluster: balance '${balance}' needs cluster.schedulingPolicy ${wanted}, but this process already forked with ${cluster.schedulingPolicy}; call runHttpCluster before any other fork`);
  }
  cluster.schedulingPolicy = wanted;
}
