// The primary's merge: its own families, and each worker's series under a `worker` label (the
// slot). Nothing is summed across workers, so a worker that is missing or restarted can never
// make a count jump or be counted twice. Pure.
import type { Labels, MetricFamily, MetricsSnapshot } from './snapshot.js';

/**
 * What one worker gave a scrape: its snapshot under its stable label.
 * @public
 */
export interface WorkerSnapshot {
  /** The value of the `worker` label: the worker's slot, stable across restarts. */
  readonly worker: string;
  /** The worker's snapshot, already read with `readSnapshot`. */
  readonly snapshot: MetricsSnapshot;
}

/**
 * The result of a merge: the families, and how many were set aside because they clashed.
 * @public
 */
export interface Merged {
  /** The merged families, one per name. */
  readonly families: MetricFamily[];
  /** Worker families or series dropped: another type or buckets under the same name, a repeated series, a repeated worker. */
  readonly conflicts: number;
}

/** The label every worker series carries. */
export const WORKER_LABEL = 'worker';
/** Where a worker's own `worker` label goes, as Prometheus does with `honor_labels: false`. */
const EXPORTED_WORKER_LABEL = 'exported_worker';

function relabel(labels: Labels, worker: string): Labels {
  const out: Record<string, string> = Object.create(null);
  for (const k of Object.keys(labels)) out[k === WORKER_LABEL ? EXPORTED_WORKER_LABEL : k] = labels[k]!;
  out[WORKER_LABEL] = worker;
  return out;
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function compatible(a: MetricFamily, b: MetricFamily): boolean {
  if (a.type !== b.type) return false;
  if (a.type !== 'histogram' || b.type !== 'histogram') return true;
  return a.bounds.length === b.bounds.length && a.bounds.every((x, i) => x === b.bounds[i]);
}

interface Slot {
  readonly family: MetricFamily;
  readonly series: MetricFamily['series'][number][];
  readonly keys: Set<string>;
}

/**
 * Merges the primary's snapshot with its workers'. Each worker series gets `worker="<slot>"` (a
 * `worker` label it already had becomes `exported_worker`). A worker family whose name the merge
 * has with another type (or other buckets) is dropped, as is a series that repeats one already
 * there, and a second snapshot for the same worker label; each counts as a conflict.
 * @public
 */
export function mergeSnapshots(primary: MetricsSnapshot, workers: readonly WorkerSnapshot[]): Merged {
  const slots = new Map<string, Slot>();
  let conflicts = 0;
  const add = (family: MetricFamily, labelled: (labels: Labels) => Labels): void => {
    let slot = slots.get(family.name);
    if (slot === undefined) {
      slot = { family, series: [], keys: new Set() };
      slots.set(family.name, slot);
    } else if (!compatible(slot.family, family)) {
      conflicts++;
      return;
    }
    for (const s of family.series) {
      const labels = labelled(s.labels);
      const key = seriesKey(labels);
      if (slot.keys.has(key)) {
        conflicts++;
        continue;
      }
      slot.keys.add(key);
      slot.series.push({ ...s, labels } as MetricFamily['series'][number]);
    }
  };
  for (const family of primary.families) add(family, (labels) => labels);
  const seen = new Set<string>();
  for (const { worker, snapshot } of workers) {
    if (seen.has(worker)) {
      conflicts++;
      continue;
    }
    seen.add(worker);
    for (const family of snapshot.families) add(family, (labels) => relabel(labels, worker));
  }
  const families = [...slots.values()].map(({ family, series }) => ({ ...family, series }) as MetricFamily);
  return { families, conflicts };
}
