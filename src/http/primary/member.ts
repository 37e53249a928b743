// One worker as the supervisor keeps it: its state machine, whether its exit was planned, and the
// promises the supervisor waits on. The transitions and the restart rule are pure functions.
import type { Worker } from 'node:cluster';
import type { WorkerHandle } from '../../cluster/primary.js';
import { describeExit } from '../../errors.js';
import { RpcWorkerStartError } from '../errors.js';
import type { ControlContract, LoadReport, WorkerState } from '../control.js';
import { unacknowledged } from '../handoff.js';
import type { Candidate } from './balancer.js';
import type { Seat } from './dealer.js';

/**
 * A worker's latest load report.
 * @public
 */
export interface WorkerLoad extends LoadReport {
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

/** A timeout the cluster killed a worker for. */
export type KillCause = 'ready_timeout' | 'heartbeat_timeout';

/**
 * What happens to a worker. `failedToStart` (its factory threw) leaves it `starting`: it is
 * killed, and its exit still counts as one before it was ready.
 */
export type MemberEvent = 'listening' | 'readyTimedOut' | 'unresponsive' | 'retired' | 'exited';

const TRANSITIONS: Readonly<Record<WorkerState, Partial<Record<MemberEvent, WorkerState>>>> = Object.freeze({
  starting: { listening: 'ready', readyTimedOut: 'draining', retired: 'draining', exited: 'gone' },
  ready: { unresponsive: 'draining', retired: 'draining', exited: 'gone' },
  draining: { retired: 'draining', exited: 'gone' },
  gone: {},
});

/** The state after `event`, or undefined when the event means nothing in `state` (it is ignored). */
export function nextState(state: WorkerState, event: MemberEvent): WorkerState | undefined {
  return TRANSITIONS[state][event];
}

/** What the supervisor knew when a worker exited. */
export interface ExitContext {
  /** The cluster asked for this exit (shutdown, reload, a failed start being cleaned up). */
  readonly planned: boolean;
  /** The whole cluster is stopping. */
  readonly stopping: boolean;
  /** The first workers are still starting. */
  readonly booting: boolean;
  /** The worker was still `starting` when it exited. */
  readonly wasStarting: boolean;
  /**
   * The worker filled its slot. A rollout's new worker fills it only once ready; an old worker
   * stops filling it once its successor is ready.
   */
  readonly occupant: boolean;
  /** A rollout's new worker for the same slot is starting: it will fill the slot, or the rollout restarts it. */
  readonly successorPending: boolean;
}

/**
 * The planned-versus-crash rule: only a crash of the worker that fills its slot is restarted, by
 * the restart policy. Not restarted: a planned exit, any exit during a shutdown, a worker that never
 * became ready while the cluster boots (that fails the start), a rollout's new worker that died
 * before it was ready (the rollout aborts; the old worker keeps the slot), and an old worker whose
 * successor is starting (the successor fills the slot).
 */
export function restartsAfterExit(exit: ExitContext): boolean {
  if (exit.planned || exit.stopping) return false;
  if (exit.booting && exit.wasStarting) return false;
  return exit.occupant && !exit.successorPending;
}

/**
 * What one step of a rollout does once its new worker's start is settled:
 * - `'retire'`: the new worker is ready and fills the slot; the old one drains (when alive). The
 *   rollout goes on to the next slot without waiting for that drain.
 * - `'abort'`: the new worker died or failed before it was ready; the old one still serves and
 *   keeps the slot; the rollout stops (`reload()` rejects).
 * - `'abort-and-restart'`: as `'abort'`, but the old worker crashed meanwhile: the slot is empty,
 *   so it is refilled by the restart policy, as after any crash.
 * A death after that point is an ordinary crash of the slot's worker: restarted by the policy,
 * and the rollout goes on (an old worker that crashed while it waited its turn is skipped).
 */
export function stepOutcome(successorReady: boolean, predecessorAlive: boolean): 'retire' | 'abort' | 'abort-and-restart' {
  if (successorReady) return 'retire';
  return predecessorAlive ? 'abort' : 'abort-and-restart';
}

/** One worker as the supervisor keeps it; its state changes only through `apply`. */
export class Member implements Seat {
  #state: WorkerState = 'starting';
  #wasReady = false;
  planned = false;
  /** Set when the cluster itself killed the worker, to say why. */
  killedFor: string | undefined;
  /** Set with `killedFor` when the kill was for a timeout: the metrics count its restart under it. */
  killedOn: KillCause | undefined;
  /** Set when the worker reported that its server could not start. */
  failure: string | undefined;
  load: WorkerLoad | undefined;
  /** Connections handed to this worker since it started. */
  handedOver = 0;
  readonly startedAt = performance.now();
  readyTimer: NodeJS.Timeout | undefined;
  pinging = false;
  /** The exit code, once the worker exited (null when a signal ended it). */
  exitCode: number | null | undefined;
  /** How it exited, once it did. */
  exit: WorkerExit | undefined;
  /** It exited, or is exiting, without ever having been ready: it served nothing. */
  get neverReady(): boolean {
    return !this.#wasReady;
  }
  /** The latest resident set size it reported, in bytes. */
  rssBytes: number | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  #markReady!: () => void;
  #markFailed!: (error: Error) => void;
  #markExited!: () => void;

  constructor(
    readonly handle: WorkerHandle<ControlContract>,
    readonly slot: number,
    readonly restarts: number,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.#markReady = resolve;
      this.#markFailed = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => (this.#markExited = resolve));
  }

  get state(): WorkerState {
    return this.#state;
  }

  get worker(): Worker {
    return this.handle.worker;
  }

  /** Applies an event; returns whether it changed anything (false: ignored in this state). */
  apply(event: MemberEvent): boolean {
    const next = nextState(this.#state, event);
    if (next === undefined) return false;
    this.#state = next;
    clearTimeout(this.readyTimer);
    if (event === 'listening') {
      this.#wasReady = true;
      this.load = { inFlight: 0, handled: 0, eventLoopDelayP99Ms: 0, connections: 0, reportedAt: performance.now() };
      this.#markReady();
    }
    if (event === 'exited') this.#markExited();
    return true;
  }

  /** The worker will never be ready: `start()` and `reload()` waiting on it reject with this reason. */
  failStart(reason: string): void {
    this.#markFailed(new RpcWorkerStartError(this.handle.id, reason));
  }

  /** Why it exited, in words. */
  exitReason(code: number | null, signal: string | null): string {
    return this.killedFor ?? (this.failure !== undefined ? `failed to start (${this.failure})` : describeExit(code, signal));
  }

  handed(): void {
    this.handedOver++;
  }

  info(): HttpWorkerInfo {
    return { id: this.handle.id, pid: this.handle.pid, slot: this.slot, state: this.#state, restarts: this.restarts, load: this.load };
  }

  /** Kills the worker; the first reason (and cause) given stands. */
  kill(reason: string, cause?: KillCause): void {
    if (this.killedFor === undefined) this.killedOn = cause;
    this.killedFor ??= reason;
    if (this.#state !== 'gone') this.worker.process.kill('SIGKILL');
  }
}

/** What the balancer knows of a ready worker: its last load report and the dealer's open offers to it. */
export function candidateOf(m: Member, offers: Partial<Candidate> | undefined): Candidate {
  return {
    id: m.handle.id,
    inFlight: m.load?.inFlight ?? 0,
    handedSinceReport: unacknowledged(m.handedOver, m.load?.connections),
    reportedAt: m.load?.reportedAt ?? m.startedAt,
    loopDelayMs: m.load?.eventLoopDelayP99Ms ?? 0,
    ...offers,
  };
}
