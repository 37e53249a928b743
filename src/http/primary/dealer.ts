// Least-loaded balancing: the primary owns the listening socket, accepts each connection paused
// (it reads no byte of it) and hands it to the worker the balancer picks, or holds it while none is
// ready.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Worker } from 'node:cluster';
import { handOver } from '../handoff.js';

/** A worker the dealer may hand a connection to. */
export interface Seat {
  readonly worker: Worker;
  /** Counts a connection handed over since the worker's last load report. */
  handed(): void;
}

/** The most connections held while no worker is ready; more are closed at once. */
const MAX_WAITING = 1_024;

/** Owns the listening socket in `'least-loaded'` mode and deals each connection to a worker. */
export class ConnectionDealer {
  readonly #server: Server;
  readonly #pick: () => Seat | undefined;
  readonly #waiting: Socket[] = [];
  #closed = false;
  /** Connections handed to a worker, since the primary started (the metrics read it). */
  handedOver = 0;
  /** Connections closed because no worker could take them, since the primary started. */
  dropped = 0;

  constructor(pick: () => Seat | undefined) {
    this.#pick = pick;
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#deal(socket));
  }

  listen(port: number, host: string | undefined): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        // A late accept error (EMFILE …) must not crash the primary; the socket keeps listening.
        this.#server.on('error', () => {});
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** A worker became ready: hand it what waited. */
  wake(): void {
    while (this.#waiting.length > 0) {
      const socket = this.#waiting.shift()!;
      if (!socket.destroyed) this.#deal(socket);
      if (this.#waiting.includes(socket)) return; // still no worker
    }
  }

  /** Stops accepting; connections still waiting for a worker are closed. */
  close(): Promise<void> {
    this.#closed = true;
    this.dropped += this.#waiting.length;
    for (const socket of this.#waiting.splice(0)) socket.destroy();
    // server.close() stops listening at once. Its callback is not awaited: once sockets were handed
    // over, Node holds it until every worker has closed every connection it was given, and a
    // draining worker may hold one until the shutdown deadline (or forever, before that deadline
    // was armed), so the shutdown would never reach the step that drains the workers.
    this.#server.close(() => {});
    return Promise.resolve();
  }

  #deal(socket: Socket): void {
    socket.on('error', () => {}); // a client reset before hand-off is not the primary's problem
    if (this.#closed) {
      this.dropped++;
      socket.destroy();
      return;
    }
    const seat = this.#pick();
    if (seat === undefined) {
      if (this.#waiting.length >= MAX_WAITING) {
        this.dropped++;
        socket.destroy();
      } else this.#waiting.push(socket);
      return;
    }
    seat.handed();
    this.handedOver++;
    handOver(seat.worker, socket);
  }
}
