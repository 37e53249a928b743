// Call timeouts without a timer per call: calls that share a timeout expire in the order they
// started, so each distinct timeout keeps a FIFO of calls and one timer armed at its head.
// A settled call is only marked; it leaves the queue when it reaches the head. Waits longer than
// MAX_TIMER_DELAY are re-armed in steps.
import { MAX_TIMER_DELAY } from '../checks.js';

export interface Expiring {
  /** When the call times out, in `performance.now()` milliseconds. */
  readonly deadline: number;
  /** Set once the call settled for any reason; the queue then skips it. */
  readonly settled: boolean;
}

class Lane<T extends Expiring> {
  queue: T[] = [];
  head = 0;
  /** Items in the queue not settled yet. */
  live = 0;
  timer: NodeJS.Timeout | undefined;
}

export class Deadlines<T extends Expiring> {
  readonly #lanes = new Map<number, Lane<T>>();
  readonly #expire: (item: T) => void;

  /** `expire` is called for each item whose deadline passed before it settled. */
  constructor(expire: (item: T) => void) {
    this.#expire = expire;
  }

  /** Tracks an item that times out `timeout` ms after it started (its `deadline`). */
  add(item: T, timeout: number): void {
    let lane = this.#lanes.get(timeout);
    if (lane === undefined) this.#lanes.set(timeout, (lane = new Lane()));
    lane.queue.push(item);
    lane.live++;
    if (lane.timer === undefined) this.#arm(timeout, lane, item.deadline);
  }

  /** An item settled: drop settled items from the head of its lane (they usually settle in order). */
  settled(timeout: number): void {
    const lane = this.#lanes.get(timeout);
    if (lane === undefined) return;
    lane.live--;
    while (lane.head < lane.queue.length && lane.queue[lane.head]!.settled) lane.head++;
    this.#compact(lane);
  }

  /** Items held in the queues (settled ones not yet swept included), for introspection and tests. */
  get held(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.queue.length - lane.head;
    return n;
  }

  /** Stops every timer; items are left to their owner. */
  clear(): void {
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer);
    this.#lanes.clear();
  }

  #compact(lane: Lane<T>): void {
    if (lane.head === lane.queue.length) {
      lane.queue.length = 0;
      lane.head = 0;
      // Keep the timer: it fires once, finds nothing and stops (cheaper than clearing per call).
      return;
    }
    if (lane.head > 1024 && lane.head * 2 > lane.queue.length) {
      lane.queue = lane.queue.slice(lane.head);
      lane.head = 0;
    }
    // One call that never settles at the head would keep every settled call behind it (and its
    // payload) alive until its own deadline: sweep settled ones out once they dominate.
    const waiting = lane.queue.length - lane.head;
    if (waiting > 2 * lane.live + 1024) {
      lane.queue = lane.queue.slice(lane.head).filter((item) => !item.settled);
      lane.head = 0;
    }
  }

  #arm(timeout: number, lane: Lane<T>, deadline: number): void {
    const delay = Math.min(Math.max(0, deadline - performance.now()), MAX_TIMER_DELAY);
    lane.timer = setTimeout(this.#fire, delay, timeout, lane);
    lane.timer.unref();
  }

  readonly #fire = (timeout: number, lane: Lane<T>): void => {
    lane.timer = undefined;
    const now = performance.now();
    while (lane.head < lane.queue.length) {
      const item = lane.queue[lane.head]!;
      if (item.settled) {
        lane.head++;
        continue;
      }
      if (item.deadline > now) break;
      lane.head++;
      this.#expire(item); // its owner settles it, which counts it out of `live`
    }
    if (lane.head === lane.queue.length) {
      this.#lanes.delete(timeout);
      return;
    }
    this.#compact(lane);
    this.#arm(timeout, lane, lane.queue[lane.head]!.deadline);
  };
}
