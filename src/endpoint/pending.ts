// The caller's pending table: ids, deadlines, abort signals, the caller's stack, settling, and
// waiting for all to settle. Knows nothing of frames or transports: the peer is told through two
// hooks when a call expires or is aborted, and sends what the wire needs.
import { nanoid } from 'nanoid';
import { RpcError } from '../errors.js';
import type { RpcMetricsHooks } from '../metrics/rpc.js';
import type { RpcClientSpan, RpcTracing } from '../tracing/types.js';
import type { CallFrame } from '../protocol/frames.js';
import { Deadlines, type Expiring } from './deadlines.js';
import { clientSettled, outcomeOf, traceCall } from './observe.js';
import type { ResolvedEndpointOptions } from './options.js';

/**
 * A call in flight, for finding stuck calls.
 * @public
 */
export interface InFlightCall {
  /** The call's correlation id. */
  readonly id: string;
  /** The procedure called. */
  readonly method: string;
  /** Who was called: `worker 3 (pid 1234)`, `the primary`. */
  readonly target: string;
  /** Milliseconds since the call started. */
  readonly ageMs: number;
}

/** One outgoing call awaiting its reply. */
export class PendingCall implements Expiring {
  settled = false;
  /** The call's CLIENT span, when it is traced. */
  span: RpcClientSpan | undefined = undefined;
  constructor(
    readonly id: string,
    readonly method: string,
    readonly frame: CallFrame,
    readonly timeout: number,
    readonly signal: AbortSignal | undefined,
    readonly startedAt: number,
    readonly deadline: number,
    readonly origin: { stack?: string } | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {}
}

/** What the table tells its owner; each hook must settle the call it is given. */
export interface PendingHooks {
  /** The call's deadline passed before it settled. */
  readonly expired: (pending: PendingCall) => void;
  /** The call's signal aborted before it settled. */
  readonly aborted: (pending: PendingCall) => void;
}

const now = (): number => performance.now();

export class PendingCalls {
  readonly #calls = new Map<string, PendingCall>();
  /** The timers: one per distinct timeout, not one per call. */
  readonly #deadlines: Deadlines<PendingCall>;
  readonly #signals = new Map<AbortSignal, { calls: Set<PendingCall>; onAbort: () => void }>();
  readonly #aborted: (pending: PendingCall) => void;
  /** The function whose caller a captured stack starts at; `undefined`: no capture. */
  readonly #stackFrom: Function | undefined;
  readonly #prefix = `${nanoid(10)}.`;
  #seq = 0;
  /** Set while someone waits for every call to settle. */
  #allSettled: (() => void) | undefined;
  readonly #metrics: RpcMetricsHooks | undefined;
  readonly #tracing: RpcTracing | undefined;
  /** Whether anyone observes settled calls (metrics or tracing): one check per exit when not. */
  readonly #observed: boolean;

  constructor(hooks: PendingHooks, stackFrom: Function | undefined, observers?: Pick<ResolvedEndpointOptions, 'metrics' | 'tracing'>) {
    this.#metrics = observers?.metrics;
    this.#tracing = observers?.tracing;
    this.#observed = this.#metrics !== undefined || this.#tracing !== undefined;
    this.#deadlines = new Deadlines((pending) => {
      if (this.isLive(pending)) hooks.expired(pending);
    });
    this.#aborted = hooks.aborted;
    this.#stackFrom = stackFrom;
  }

  /** Calls awaiting their reply. */
  get size(): number {
    return this.#calls.size;
  }

  /** A fresh correlation id, unique to this table. */
  nextId(): string {
    return this.#prefix + (++this.#seq).toString(36);
  }

  /** The stack where a call starts, when stacks are captured. Call it synchronously from the public call. */
  origin(): { stack?: string } | undefined {
    if (this.#stackFrom === undefined) return undefined;
    const origin = {};
    Error.captureStackTrace(origin, this.#stackFrom);
    return origin;
  }

  /** Tracks a call until it settles: its deadline, its signal, its promise. */
  add(frame: CallFrame, timeout: number, signal: AbortSignal | undefined, origin: { stack?: string } | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const startedAt = now();
      const pending = new PendingCall(frame.i, frame.m, frame, timeout, signal, startedAt, startedAt + timeout, origin, resolve, reject);
      if (this.#tracing !== undefined) pending.span = traceCall(this.#tracing, frame);
      if (timeout !== Infinity) this.#deadlines.add(pending, timeout);
      if (signal !== undefined) this.#watch(signal, pending);
      this.#calls.set(pending.id, pending);
    });
  }

  /** The live call with this id, if any. */
  get(id: string): PendingCall | undefined {
    return this.#calls.get(id);
  }

  /** Whether this exact call is still live (not settled, not replaced). */
  isLive(pending: PendingCall): boolean {
    return this.#calls.get(pending.id) === pending;
  }

  /** Resolves a call with its reply. */
  resolve(pending: PendingCall, value: unknown): void {
    this.#settle(pending);
    if (this.#observed) clientSettled(this.#metrics, pending, 'ok', undefined);
    pending.resolve(value);
  }

  /** Rejects a call; a library error is pointed at the line that made the call when its stack was captured. */
  reject(pending: PendingCall, error: unknown): void {
    this.#settle(pending);
    if (this.#observed) clientSettled(this.#metrics, pending, outcomeOf(error), error);
    if (pending.origin?.stack !== undefined && error instanceof RpcError) {
      // Point the error at the line that made the call, not at the timer or IPC listener.
      const frames = pending.origin.stack.slice(pending.origin.stack.indexOf('\n'));
      error.stack = `${error.name}: ${error.message}${frames}`;
    }
    pending.reject(error);
  }

  /** Rejects a call with `reason` exactly as given (a caller's own abort reason is not restamped). */
  abandon(pending: PendingCall, reason: unknown): void {
    this.#settle(pending);
    if (this.#observed) clientSettled(this.#metrics, pending, 'RPC_ABORTED', reason);
    pending.reject(reason);
  }

  /** Rejects every live call with the error `reason` makes for it. */
  rejectAll(reason: (pending: PendingCall) => unknown): void {
    for (const pending of [...this.#calls.values()]) this.reject(pending, reason(pending));
  }

  /** Resolves once no call is pending (at once when none is). One waiter at a time. */
  allSettled(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#allSettled = resolve;
    });
  }

  /** Stops every timer; entries are left to `rejectAll`. */
  stopTimers(): void {
    this.#deadlines.clear();
  }

  /** The live calls, oldest first, for introspection. */
  list(target: string): InFlightCall[] {
    const at = now();
    return [...this.#calls.values()].map((p) => ({ id: p.id, method: p.method, target, ageMs: Math.round(at - p.startedAt) }));
  }

  #settle(pending: PendingCall): void {
    this.#calls.delete(pending.id);
    pending.settled = true;
    if (pending.timeout !== Infinity) this.#deadlines.settled(pending.timeout);
    if (pending.signal !== undefined) this.#unwatch(pending.signal, pending);
    if (this.#allSettled !== undefined && this.#calls.size === 0) {
      this.#allSettled();
      this.#allSettled = undefined;
    }
  }

  // One abort listener per signal, however many calls share it: a signal shared by many calls
  // would otherwise collect a listener each (and Node warns past ten).
  #watch(signal: AbortSignal, pending: PendingCall): void {
    let group = this.#signals.get(signal);
    if (group === undefined) {
      const calls = new Set<PendingCall>();
      const onAbort = (): void => {
        for (const p of [...calls]) if (this.isLive(p)) this.#aborted(p);
      };
      group = { calls, onAbort };
      this.#signals.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.calls.add(pending);
  }

  #unwatch(signal: AbortSignal, pending: PendingCall): void {
    const group = this.#signals.get(signal);
    if (group === undefined || !group.calls.delete(pending) || group.calls.size > 0) return;
    this.#signals.delete(signal);
    signal.removeEventListener('abort', group.onAbort);
  }
}
