// Least-loaded balancing: the primary owns the listening socket, accepts each connection paused
// (it reads no byte of it) and offers it to the worker the balancer picks, or holds it while none
// is ready. It keeps its copy of every socket until the connection's fate is known: accepted
// (closed here), refused or never answered by a worker that died (offered again, no byte of it
// having been read), or undeliverable (closed).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Worker } from 'node:cluster';
import { isAnswer, offer, type Answer } from '../handoff.js';
import { answerBudget, nextTypicalAnswer } from './balancer.js';
import { OfferBook } from './offer-book.js';

/** A worker the dealer may hand a connection to. */
export interface Seat {
  readonly worker: Worker;
  /** Counts a connection handed over since the worker's last load report. */
  handed(): void;
}

/** The most connections held while no worker is ready; more are closed at once. */
const MAX_WAITING = 1_024;
/** How many times one connection is offered (refusals, workers that died) before it is closed. */
export const MAX_OFFERS = 8;
/**
 * How long after a worker's exit its channel may take to end. Until it ends, an answer may still
 * be on its way; past this, its unanswered connections are closed rather than offered again.
 */
const CHANNEL_END_WAIT_MS = 5_000;

/** Owns the listening socket in `'least-loaded'` mode and deals each connection to a worker. */
export class ConnectionDealer {
  readonly #server: Server;
  readonly #pick: () => Seat | undefined;
  readonly #waiting: { socket: Socket; offers: number }[] = [];
  readonly #book: OfferBook<Worker, Socket>;
  readonly #watched = new WeakSet<Worker>();
  /** Workers that refused an offer (they drain or exit) or could not be sent one: they get no other. */
  readonly #refusing = new WeakSet<Worker>();
  readonly #now: () => number;
  /** The cluster's typical time from an offer written to its answer read, in milliseconds. */
  #typicalAnswer = 0;
  #closed = false;
  /** Connections a worker accepted, since the primary started (the metrics read it); each counted once, however often offered. */
  handedOver = 0;
  /** Connections closed because no worker could take them (none ready, too many offers, closing), since the primary started. */
  dropped = 0;

  constructor(pick: () => Seat | undefined, now: () => number = () => performance.now()) {
    this.#pick = pick;
    this.#now = now;
    this.#book = new OfferBook(now);
    this.#server = createServer({ pauseOnConnect: true }, (socket) => {
      socket.on('error', () => {}); // a client reset before hand-off is not the primary's problem
      this.#deal(socket, 0);
    });
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

  /** The offers this worker has not answered yet: how many, and when the oldest was made (by the dealer's clock). */
  offersTo(worker: Worker): { readonly unanswered: number; readonly unansweredSince: number | undefined; readonly refusing: boolean; readonly busyAfter: number } {
    return {
      unanswered: this.#book.count(worker),
      unansweredSince: this.#book.oldest(worker),
      refusing: this.#refusing.has(worker),
      busyAfter: answerBudget(this.#typicalAnswer),
    };
  }

  /** Connections offered and not answered yet, over every worker. */
  get unanswered(): number {
    return this.#book.size;
  }

  /** A worker became ready: hand it what waited. */
  wake(): void {
    while (this.#waiting.length > 0) {
      const { socket, offers } = this.#waiting.shift()!;
      if (!socket.destroyed) this.#deal(socket, offers);
      if (this.#waiting.some((w) => w.socket === socket)) return; // still no worker
    }
  }

  /** Stops accepting; connections still waiting for a worker are closed, and so is each offered one once refused. */
  close(): Promise<void> {
    this.#closed = true;
    for (const { socket } of this.#waiting.splice(0)) this.#drop(socket);
    // server.close() stops listening at once. Its callback is not awaited: once sockets were handed
    // over, Node holds it until every worker has closed every connection it was given, and a
    // draining worker may hold one until the shutdown deadline (or forever, before that deadline
    // was armed), so the shutdown would never reach the step that drains the workers.
    this.#server.close(() => {});
    return Promise.resolve();
  }

  #deal(socket: Socket, offers: number): void {
    if (this.#closed || offers >= MAX_OFFERS || socket.destroyed) {
      this.#drop(socket);
      return;
    }
    const seat = this.#pick();
    if (seat === undefined) {
      if (this.#waiting.length >= MAX_WAITING) this.#drop(socket);
      else this.#waiting.push({ socket, offers });
      return;
    }
    seat.handed();
    this.#watch(seat.worker);
    const id = this.#book.add(seat.worker, socket, offers + 1);
    offer(
      seat.worker,
      id,
      socket,
      () => this.#book.sent(id),
      () => {
        // Not written (its channel closed): nothing reached the worker, and nothing will; offer
        // the connection to another one.
        this.#refusing.add(seat.worker);
        this.#again(this.#book.take(id));
      },
    );
  }

  /** Closes a connection no worker took; one the client already closed is not counted. */
  #drop(socket: Socket): void {
    if (!socket.destroyed) this.dropped++;
    socket.destroy();
  }

  #again(entry: { socket: Socket; offers: number } | undefined): void {
    if (entry !== undefined) this.#deal(entry.socket, entry.offers);
  }

  /** Listens, once per worker, for its answers and for the end of its channel. */
  #watch(worker: Worker): void {
    if (this.#watched.has(worker)) return;
    this.#watched.add(worker);
    const child = worker.process;
    child.on('message', (message: unknown) => {
      if (isAnswer(message)) this.#answered(worker, message);
    });
    // 'close' comes once the process exited and its channel ended: every answer it wrote has been
    // read by then, so an offer still unanswered was never accepted and none of its bytes read.
    child.once('close', () => {
      for (const entry of this.#book.drop(worker)) this.#deal(entry.socket, entry.offers);
    });
    child.once('exit', () => {
      setTimeout(() => {
        // The channel did not end (a descendant holds it open?): an answer might still come, so
        // nothing may be offered again; close the connections instead of leaking them.
        for (const entry of this.#book.drop(worker)) this.#drop(entry.socket);
      }, CHANNEL_END_WAIT_MS).unref();
    });
  }

  #answered(worker: Worker, answer: Answer): void {
    const settled = this.#book.answer(worker, answer.id);
    if (settled === undefined) return; // not an offer to this worker that is still open: ignored
    // A worker answers offers in the order it got them: an earlier one still open never reached
    // its code (Node drops a handle it could not receive), so none of its bytes were read.
    for (const lost of settled.skipped) this.#deal(lost.socket, lost.offers);
    if (settled.entry.at !== undefined) this.#typicalAnswer = nextTypicalAnswer(this.#typicalAnswer, this.#now() - settled.entry.at);
    if (answer.accepted) {
      this.handedOver++;
      settled.entry.socket.destroy(); // the worker has its own copy
      return;
    }
    this.#refusing.add(worker);
    this.#deal(settled.entry.socket, settled.entry.offers);
  }
}
