// A worker's load, as pure counters: requests in flight and handled, each connection's requests,
// connections still to send their first request, hand-offs taken. No I/O; the clock is injected.
import type { LoadReport } from '../control.js';

/** One open connection: how many requests it has carried, and how many are in progress. */
export interface ConnectionLoad {
  served: number;
  busy: number;
}

/** Counts a worker's load. `S` is whatever identifies a connection (a socket, in the runtime). */
export class LoadMeter<S extends object = object> {
  readonly #now: () => number;
  readonly #connections = new Map<S, ConnectionLoad>();
  readonly startedAt: number;
  inFlight = 0;
  handled = 0;
  /** Connections open whose first request has not arrived: load the balancer should see. */
  awaitingFirstRequest = 0;
  /** Connections taken from the primary's hand-off, since the worker started. */
  taken = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.startedAt = now();
  }

  /** A connection opened; false when it was already counted (a hand-off is seen twice). */
  opened(socket: S): boolean {
    if (this.#connections.has(socket)) return false;
    this.#connections.set(socket, { served: 0, busy: 0 });
    this.awaitingFirstRequest++;
    return true;
  }

  /** A connection closed. */
  closed(socket: S): void {
    const connection = this.#connections.get(socket);
    if (connection === undefined) return;
    if (connection.served === 0) this.awaitingFirstRequest--;
    this.#connections.delete(socket);
  }

  /** A request arrived on `socket`; returns its connection's counters (undefined for an unknown socket). */
  requestStarted(socket: S): ConnectionLoad | undefined {
    this.inFlight++;
    const connection = this.#connections.get(socket);
    if (connection !== undefined) {
      if (connection.served === 0) this.awaitingFirstRequest--;
      connection.served++;
      connection.busy++;
    }
    return connection;
  }

  /** A response finished or was aborted. */
  requestFinished(connection: ConnectionLoad | undefined): void {
    this.inFlight--;
    this.handled++;
    if (connection !== undefined) connection.busy--;
  }

  /** A connection handed over by the primary was taken. */
  tookHandoff(): void {
    this.taken++;
  }

  /** Every open connection with its counters. */
  connections(): IterableIterator<[S, ConnectionLoad]> {
    return this.#connections.entries();
  }

  /** Whether some open connection has not sent its first request yet. */
  awaitsFirstRequest(): boolean {
    for (const c of this.#connections.values()) if (c.served === 0) return true;
    return false;
  }

  /** Milliseconds since the meter started, by its clock. */
  uptime(): number {
    return this.#now() - this.startedAt;
  }

  /** The report the balancer reads: connections still to send their first request count as in flight. */
  report(eventLoopDelayP99Ms: number): LoadReport {
    return { inFlight: this.inFlight + this.awaitingFirstRequest, handled: this.handled, eventLoopDelayP99Ms, connections: this.taken };
  }
}
