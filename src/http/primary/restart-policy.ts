// When to bring a crashed worker back, and when to stop trying. Pure: callers pass the clock.
import type { RestartOptions } from '../options.js';

/** The decision after a crash. */
export type RestartDecision = { readonly restart: true; readonly delay: number } | { readonly restart: false; readonly crashes: number };

/**
 * Decides each restart. The crash-loop window counts crashes of the whole cluster (a supervisor's
 * intensity, as in Erlang); the backoff grows per slot, so one flapping slot does not slow the
 * others' recovery.
 */
export class RestartBudget {
  readonly #options: Required<RestartOptions>;
  readonly #random: () => number;
  #crashes: number[] = [];
  readonly #consecutive = new Map<number, number>();

  constructor(options: Required<RestartOptions>, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** The worker of `slot` crashed at `now` after living `uptime` ms: restart it after a delay, or give up. */
  crashed(slot: number, now: number, uptime: number): RestartDecision {
    const o = this.#options;
    const consecutive = uptime >= o.resetAfter ? 0 : (this.#consecutive.get(slot) ?? 0);
    this.#crashes = this.#crashes.filter((at) => now - at < o.window);
    this.#crashes.push(now);
    if (this.#crashes.length > o.maxRestarts) return { restart: false, crashes: this.#crashes.length };
    const base = Math.min(o.maxDelay, o.initialDelay * o.factor ** consecutive);
    this.#consecutive.set(slot, consecutive + 1);
    const spread = 1 + o.jitter * (2 * this.#random() - 1);
    return { restart: true, delay: Math.max(0, Math.round(base * spread)) };
  }
}
