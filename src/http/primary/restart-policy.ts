// When to bring a crashed worker back, and when to stop trying. Pure: callers pass the clock.
import type { RestartOptions } from '../restart-options.js';

/** The decision after a crash. */
export type RestartDecision =
  | { readonly restart: true; readonly delay: number }
  | {
      readonly restart: false;
      /** The crashes counted within the window: the slot's, or the whole cluster's for the ceiling. */
      readonly crashes: number;
      /** `'slot'`: this slot's crash loop; `'cluster'`: the cluster-wide ceiling (`maxClusterRestarts`). */
      readonly scope: 'slot' | 'cluster';
    };

/**
 * Decides each restart. The crash-loop window counts each slot's crashes apart (`maxRestarts`),
 * so one flapping slot stops only its own restarts; an optional ceiling (`maxClusterRestarts`)
 * counts every slot's crashes together. The backoff grows per slot and resets after `resetAfter`
 * of uptime.
 */
export class RestartBudget {
  readonly #options: Required<RestartOptions>;
  readonly #random: () => number;
  readonly #slotCrashes = new Map<number, number[]>();
  #clusterCrashes: number[] = [];
  readonly #consecutive = new Map<number, number>();
  readonly #exhausted = new Set<number>();
  #ceilingReached = false;

  constructor(options: Required<RestartOptions>, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** The worker of `slot` crashed at `now` after living `uptime` ms: restart it after a delay, or give up. */
  crashed(slot: number, now: number, uptime: number): RestartDecision {
    const o = this.#options;
    const recent = (at: number): boolean => now - at < o.window;
    const slotCrashes = [...(this.#slotCrashes.get(slot) ?? []).filter(recent), now];
    this.#slotCrashes.set(slot, slotCrashes);
    this.#clusterCrashes = [...this.#clusterCrashes.filter(recent), now];
    if (this.#ceilingReached || this.#clusterCrashes.length > o.maxClusterRestarts) {
      this.#ceilingReached = true;
      return { restart: false, crashes: this.#clusterCrashes.length, scope: 'cluster' };
    }
    if (slotCrashes.length > o.maxRestarts) {
      this.#exhausted.add(slot);
      return { restart: false, crashes: slotCrashes.length, scope: 'slot' };
    }
    const consecutive = uptime >= o.resetAfter ? 0 : (this.#consecutive.get(slot) ?? 0);
    const base = Math.min(o.maxDelay, o.initialDelay * o.factor ** consecutive);
    this.#consecutive.set(slot, consecutive + 1);
    const spread = 1 + o.jitter * (2 * this.#random() - 1);
    return { restart: true, delay: Math.max(0, Math.round(base * spread)) };
  }

  /** Whether restarts stopped for this slot (its crash loop) or for all (the ceiling). */
  gaveUp(slot: number): boolean {
    return this.#ceilingReached || this.#exhausted.has(slot);
  }
}

/** The limit a give-up reached, in words: `3 crashes of slot 1 within 60000 ms (more than restart.maxRestarts = 2)`. */
export function describeLimit(decision: Extract<RestartDecision, { restart: false }>, slot: number, o: Required<RestartOptions>): string {
  return decision.scope === 'slot'
    ? `${decision.crashes} crashes of slot ${slot} within ${o.window} ms (more than restart.maxRestarts = ${o.maxRestarts})`
    : `${decision.crashes} crashes of the cluster within ${o.window} ms (more than restart.maxClusterRestarts = ${o.maxClusterRestarts})`;
}
