// The dealer's ledger of open offers: which connection was offered to which worker, when, and how
// many times it has been offered. Pure bookkeeping (the clock is injected); no I/O.

/** One open offer. */
export interface OfferEntry<S> {
  readonly socket: S;
  /** How many times this connection has been offered, this offer included. */
  readonly offers: number;
  /** When the offer was written to the worker's channel, by the book's clock (undefined: still queued by Node). */
  at: number | undefined;
}

/** An answered offer, and the earlier offers to the same worker that can no longer be answered. */
export interface Settled<S> {
  readonly entry: OfferEntry<S>;
  readonly skipped: OfferEntry<S>[];
}

/** Open offers by id, and by worker in the order they were made. */
export class OfferBook<W extends object, S> {
  readonly #now: () => number;
  readonly #byId = new Map<number, OfferEntry<S> & { readonly worker: W }>();
  readonly #byWorker = new Map<W, Set<number>>();
  #lastId = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Open offers over every worker. */
  get size(): number {
    return this.#byId.size;
  }

  /** Records an offer; returns its id. */
  add(worker: W, socket: S, offers: number): number {
    const id = ++this.#lastId;
    this.#byId.set(id, { worker, socket, offers, at: undefined });
    let ids = this.#byWorker.get(worker);
    if (ids === undefined) this.#byWorker.set(worker, (ids = new Set()));
    ids.add(id);
    return id;
  }

  /**
   * The offer left for the worker's channel. Node writes one socket at a time per worker, each once
   * the worker acknowledged the previous one, so an offer may wait in the primary first: that
   * wait is not the worker's, and its clock starts only now.
   */
  sent(id: number): void {
    const entry = this.#byId.get(id);
    if (entry !== undefined) entry.at = this.#now();
  }

  /** Removes one offer whatever its worker (it could not be sent); undefined if not open. */
  take(id: number): OfferEntry<S> | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined) return undefined;
    this.#remove(entry.worker, id);
    return entry;
  }

  /**
   * `worker` answered offer `id`: removes it and every earlier open offer to that worker (answers
   * come in offer order). Undefined when `id` is no open offer to this worker (a stale or forged answer).
   */
  answer(worker: W, id: number): Settled<S> | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined || entry.worker !== worker) return undefined;
    const skipped: OfferEntry<S>[] = [];
    for (const earlier of this.#byWorker.get(worker) ?? []) {
      if (earlier >= id) break;
      skipped.push(this.#byId.get(earlier)!);
      this.#remove(worker, earlier);
    }
    this.#remove(worker, id);
    return { entry, skipped };
  }

  /** Removes and returns every open offer to `worker` (its channel ended). */
  drop(worker: W): OfferEntry<S>[] {
    const ids = [...(this.#byWorker.get(worker) ?? [])];
    this.#byWorker.delete(worker);
    return ids.map((id) => {
      const entry = this.#byId.get(id)!;
      this.#byId.delete(id);
      return entry;
    });
  }

  /** When the oldest open offer to `worker` was written to its channel, if one was. */
  oldest(worker: W): number | undefined {
    for (const id of this.#byWorker.get(worker) ?? []) {
      const at = this.#byId.get(id)!.at;
      if (at !== undefined) return at;
    }
    return undefined;
  }

  /** Open offers to `worker`. */
  count(worker: W): number {
    return this.#byWorker.get(worker)?.size ?? 0;
  }

  #remove(worker: W, id: number): void {
    this.#byId.delete(id);
    const ids = this.#byWorker.get(worker);
    ids?.delete(id);
    if (ids?.size === 0) this.#byWorker.delete(worker);
  }
}
