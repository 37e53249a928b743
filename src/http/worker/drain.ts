// A worker's drain, as logic a test can drive: stop accepting, mark responses `Connection: close`,
// decide which connection may be closed and when the drain is over, and choose the exit code.
// Two modes: a shutdown (no worker left to serve) closes idle kept-alive connections at once; a
// reload's drain (other workers serve) never closes one early: each ends by its next response
// (marked `Connection: close`), by its client, or by the server's own keep-alive timeout.
// The server, the timers and the exit are injected; the counts come from the load meter.
import type { ConnectionLoad, LoadMeter } from './load-meter.js';

// How long, once draining, a connection may take to send its first request before it is closed.
export const FIRST_REQUEST_GRACE_MS = 1_000;

/** What the primary's `shutdown` call resolves to. */
export interface DrainResult {
  /** Requests that finished during the drain. */
  readonly drained: number;
  /** Requests still in flight at the deadline. */
  readonly remaining: number;
}

/** A response the drain may still mark: what `http.ServerResponse` offers. */
export interface DrainResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

/** A connection the drain may close. */
export interface DrainSocket {
  destroy(): void;
}

/** What the drain needs of its world. */
export interface DrainHooks {
  /** Stops accepting connections, leaving the open ones alone. */
  stopAccepting(): void;
  /** Runs `callback` after `ms` without holding the process open. */
  schedule(callback: () => void, ms: number): void;
  /** Ends the process with this code, once the primary's answer has left. */
  exit(code: number): void;
  /**
   * Started with the drain, awaited before the exit: the worker's other memberships leave too (its
   * NATS member drains). Must never reject, and must end within `deadlineMs`.
   */
  leave?(deadlineMs: number): Promise<void>;
}

/** A kept-alive connection between two requests: the drain closes it rather than wait for another. */
export function mayClose(connection: ConnectionLoad): boolean {
  return connection.served > 0 && connection.busy === 0;
}

/** How a drain treats kept-alive connections between two requests. */
export interface DrainMode {
  /**
   * `true` (a shutdown): close them at once. `false` (a reload, other workers serve): leave them
   * open until their next response, their client or the keep-alive timeout ends them: a client
   * may have its next request on the wire at this very moment.
   */
  readonly closeIdle: boolean;
}

/**
 * Over: nothing in progress, and no connection still to send its first request; in a reload's
 * drain, no connection open at all (each one ends by itself).
 */
export function isDrained<S extends object>(meter: LoadMeter<S>, mode: DrainMode = { closeIdle: true }): boolean {
  if (meter.inFlight !== 0) return false;
  if (mode.closeIdle) return !meter.awaitsFirstRequest();
  return meter.connections().next().done === true;
}

/** 0 only when every request was drained: a worker that gave up on some must not look like a clean stop. */
export function drainExitCode(result: DrainResult): number {
  return result.remaining > 0 ? 1 : 0;
}

/** A worker's drain: started once (by the primary's `shutdown` or a SIGTERM), answered once. */
export class Drain<S extends DrainSocket = DrainSocket> {
  readonly #meter: LoadMeter<S>;
  readonly #hooks: DrainHooks;
  readonly #open = new Set<DrainResponse>();
  #serving = false;
  #result: Promise<DrainResult> | undefined;
  #idle: (() => void) | undefined;
  #mode: DrainMode = { closeIdle: true };

  constructor(meter: LoadMeter<S>, hooks: DrainHooks) {
    this.#meter = meter;
    this.#hooks = hooks;
  }

  get draining(): boolean {
    return this.#result !== undefined;
  }

  /** The server exists and accepts: a drain must stop it and close connections. */
  serving(): void {
    this.#serving = true;
  }

  /** A response began: kept until it ends; marked at once when draining. */
  responseStarted(res: DrainResponse): void {
    this.#open.add(res);
    if (this.draining) res.setHeader('connection', 'close');
  }

  /** A response ended or was aborted. */
  responseEnded(res: DrainResponse): void {
    this.#open.delete(res);
    this.settle();
  }

  /** While draining: close what became idle, and finish once nothing is left. */
  settle(): void {
    if (!this.draining) return;
    if (this.#mode.closeIdle) this.#closeIdle();
    if (isDrained(this.#meter, this.#mode)) this.#idle?.();
  }

  /**
   * Starts the drain (once; later calls get the same answer, though a shutdown's mode still
   * applies to a reload's drain under way), and exits once it is over.
   */
  start(deadlineMs: number, mode: DrainMode = { closeIdle: true }): Promise<DrainResult> {
    if (this.#result !== undefined) {
      if (mode.closeIdle && !this.#mode.closeIdle) {
        this.#mode = mode;
        this.settle();
      }
      return this.#result;
    }
    this.#mode = mode;
    this.#result = this.#run(deadlineMs);
    const left = this.#hooks.leave?.(deadlineMs);
    void Promise.all([this.#result, left]).then(([result]) => this.#hooks.exit(drainExitCode(result)));
    return this.#result;
  }

  async #run(deadlineMs: number): Promise<DrainResult> {
    const handledBefore = this.#meter.handled;
    if (this.#serving) {
      this.#hooks.stopAccepting();
      // Responses still to be written tell their clients not to reuse the connection; busy
      // connections close after their response, new ones after the request they were opened
      // for, and idle kept-alive ones now (a shutdown) or by themselves (a reload).
      for (const res of this.#open) if (!res.headersSent) res.setHeader('connection', 'close');
      if (this.#mode.closeIdle) this.#closeIdle();
      this.#hooks.schedule(() => {
        for (const [socket, c] of this.#meter.connections()) if (c.served === 0) socket.destroy();
      }, Math.min(deadlineMs, FIRST_REQUEST_GRACE_MS));
    }
    if (!isDrained(this.#meter, this.#mode)) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
        this.#hooks.schedule(resolve, deadlineMs);
      });
    }
    return { drained: this.#meter.handled - handledBefore, remaining: this.#meter.inFlight };
  }

  #closeIdle(): void {
    for (const [socket, c] of this.#meter.connections()) if (mayClose(c)) socket.destroy();
  }
}
