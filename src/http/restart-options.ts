// The `restart` option of runHttpCluster: how crashed workers come back, its defaults, and its checks.
import { checkCount, checkDuration, checkOptions, describe } from '../checks.js';

/**
 * How crashed workers are restarted.
 * @public
 */
export interface RestartOptions {
  /**
   * Delay before the first restart after a crash, in milliseconds.
   * @defaultValue `100`
   */
  readonly initialDelay?: number;
  /**
   * Longest delay between restarts, in milliseconds.
   * @defaultValue `10_000`
   */
  readonly maxDelay?: number;
  /**
   * Each consecutive crash multiplies the delay by this.
   * @defaultValue `2`
   */
  readonly factor?: number;
  /**
   * Randomises each delay by up to this fraction either way, so workers do not restart in step.
   * @defaultValue `0.2`
   */
  readonly jitter?: number;
  /**
   * A worker that stays up this long resets the backoff, in milliseconds.
   * @defaultValue `30_000`
   */
  readonly resetAfter?: number;
  /**
   * More than this many crashes of one slot within `window` is a crash loop: that slot is not
   * restarted any more (the others are), and the cluster runs degraded.
   * @defaultValue `5`
   */
  readonly maxRestarts?: number;
  /**
   * A ceiling over the whole cluster: more than this many crashes of all slots together within
   * `window` stops every restart. `Infinity`: no ceiling, each slot has its own budget only.
   * @defaultValue `Infinity`
   */
  readonly maxClusterRestarts?: number;
  /**
   * The sliding window for `maxRestarts`, in milliseconds.
   * @defaultValue `60_000`
   */
  readonly window?: number;
}

export const RESTART_DEFAULTS: Required<RestartOptions> = Object.freeze({
  initialDelay: 100,
  maxDelay: 10_000,
  factor: 2,
  jitter: 0.2,
  resetAfter: 30_000,
  maxRestarts: 5,
  maxClusterRestarts: Infinity,
  window: 60_000,
});

const where = 'runHttpCluster';

/** Checks the `restart` option and resolves it over {@link RESTART_DEFAULTS}. */
export function resolveRestart(value: unknown): Required<RestartOptions> {
  const r = { ...RESTART_DEFAULTS, ...checkOptions(`${where}: restart`, value ?? {}, RESTART_DEFAULTS) } as Record<keyof RestartOptions, unknown>;
  checkCount(`${where}: restart`, 'initialDelay', r.initialDelay, false, true);
  checkDuration(where, 'restart.maxDelay', r.maxDelay, false);
  checkDuration(where, 'restart.resetAfter', r.resetAfter, false);
  checkDuration(where, 'restart.window', r.window, false);
  checkCount(`${where}: restart`, 'maxRestarts', r.maxRestarts, true, true);
  checkCount(`${where}: restart`, 'maxClusterRestarts', r.maxClusterRestarts, true, true);
  if (typeof r.factor !== 'number' || !(r.factor >= 1)) throw new TypeError(`${where}: restart.factor must be a number >= 1, got ${describe(r.factor)}`);
  if (typeof r.jitter !== 'number' || !(r.jitter >= 0 && r.jitter <= 1)) throw new TypeError(`${where}: restart.jitter must be from 0 to 1, got ${describe(r.jitter)}`);
  return Object.freeze(r) as Required<RestartOptions>;
}

