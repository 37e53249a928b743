// The cluster's health as one pure view: how many workers are configured and ready, and which
// slots have no worker, and why. The supervisor records vacancies; this module only reads them.
import type { WorkerState } from '../control.js';

/**
 * A slot with no worker: waiting for a restart after a crash, or given up on.
 * @public
 */
export interface SlotVacancy {
  /** The slot. */
  readonly slot: number;
  /** Why it is empty, in words: the last exit, and what the restart policy decided. */
  readonly reason: string;
  /** `true`: a restart is scheduled. `false`: restarts stopped for it (a crash loop, or the cluster-wide ceiling). */
  readonly restarting: boolean;
}

/**
 * The cluster's health, as `app.health` shows it.
 * @public
 */
export interface ClusterHealth {
  /** How many workers the cluster should have (`workers`). */
  readonly configured: number;
  /** How many are ready (during a rollout, briefly more than configured). */
  readonly ready: number;
  /** Some slot has no worker, or restarts stopped for one: fewer workers than configured. */
  readonly degraded: boolean;
  /** The slots with no worker, and why. */
  readonly vacant: readonly SlotVacancy[];
}

/** The health view from the members' states and the vacant slots. */
export function clusterHealth(configured: number, states: readonly WorkerState[], vacancies: ReadonlyMap<number, SlotVacancy>): ClusterHealth {
  const vacant = [...vacancies.values()].sort((a, b) => a.slot - b.slot);
  const ready = states.filter((s) => s === 'ready').length;
  return { configured, ready, degraded: vacant.length > 0, vacant };
}
