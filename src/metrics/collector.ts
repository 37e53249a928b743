// The primary's scrape: its own metrics, every worker's under its slot, whether each worker
// answered, and the collection's own errors. Concurrent scrapes share one collection.
import { collectSnapshots, COLLECTION_ERROR_REASONS, type AskSnapshot, type CollectionErrorReason, type CollectResult, type CollectTarget } from './collect.js';
import { METRICS } from './definitions.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition.js';
import { mergeSnapshots, WORKER_LABEL } from './merge.js';
import type { MetricFamily, MetricsSnapshot } from './snapshot.js';

/**
 * Options of {@link createClusterCollector}.
 * @public
 */
export interface ClusterCollectorOptions<W> {
  /** The workers to ask at each scrape, each under its stable label (its slot). */
  readonly workers: () => Iterable<CollectTarget<W>>;
  /** Asks one worker for its snapshot (over RPC); given an AbortSignal aborted at the deadline. */
  readonly ask: AskSnapshot<W>;
  /** The primary's own metrics, read at each scrape; may be asynchronous (prom-client). */
  readonly primary?: readonly (() => MetricsSnapshot | Promise<MetricsSnapshot>)[];
  /**
   * How long a scrape waits for the workers (and the primary's own sources), in milliseconds.
   * @defaultValue `1_000`
   */
  readonly timeout?: number;
}

/**
 * The primary's scrape of the whole cluster.
 * @public
 */
export interface ClusterCollector {
  /** Collects and merges: never rejects, never takes longer than the timeout (plus the merge). */
  collect(): Promise<MetricFamily[]>;
  /** `collect()` rendered as Prometheus text (format 0.0.4). */
  exposition(): Promise<string>;
  /** The `Content-Type` to serve `exposition()` with. */
  readonly contentType: string;
}

const OWN: ReadonlySet<string> = new Set([METRICS.workerUp.name, METRICS.scrapeErrors.name, METRICS.scrapeDuration.name]);
/** The default wait for workers at each scrape, in milliseconds. */
export const DEFAULT_SCRAPE_TIMEOUT = 1_000;

function label(name: string, value: string): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  labels[name] = value;
  return labels;
}

/** Runs the primary's own sources under the deadline; a failed or late one counts as `failed`. */
async function primarySources(sources: readonly (() => MetricsSnapshot | Promise<MetricsSnapshot>)[], timeout: number, errors: Map<CollectionErrorReason, number>): Promise<MetricsSnapshot> {
  const results = await collectSnapshots(
    sources.map((source, i) => ({ worker: String(i), target: source })),
    (source) => source(),
    timeout,
  );
  const families: MetricFamily[] = [];
  for (const r of results) {
    if (r.status === 'ok') families.push(...r.snapshot.families);
    else errors.set(r.reason === 'timeout' ? 'timeout' : 'failed', errors.get(r.reason === 'timeout' ? 'timeout' : 'failed')! + 1);
  }
  return { families };
}

/** One target per worker label: a second one (two workers claiming a slot) is a conflict. */
function unique<W>(targets: CollectTarget<W>[], errors: Map<CollectionErrorReason, number>): CollectTarget<W>[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    if (typeof t?.worker !== 'string' || seen.has(t.worker)) {
      errors.set('conflict', errors.get('conflict')! + 1);
      return false;
    }
    seen.add(t.worker);
    return true;
  });
}

function clusterFamilies(results: readonly CollectResult[], errors: ReadonlyMap<CollectionErrorReason, number>, seconds: number): MetricFamily[] {
  return [
    {
      name: METRICS.workerUp.name,
      help: METRICS.workerUp.help,
      type: 'gauge',
      series: results.map((r) => ({ labels: label(WORKER_LABEL, r.worker), value: r.status === 'ok' ? 1 : 0 })),
    },
    {
      name: METRICS.scrapeErrors.name,
      help: METRICS.scrapeErrors.help,
      type: 'counter',
      series: COLLECTION_ERROR_REASONS.map((reason) => ({ labels: label('reason', reason), value: errors.get(reason)! })),
    },
    { name: METRICS.scrapeDuration.name, help: METRICS.scrapeDuration.help, type: 'gauge', series: [{ labels: Object.create(null), value: seconds }] },
  ];
}

/**
 * Creates the primary's collector: at each scrape it asks every worker at once with a short
 * deadline, labels each worker's series with its slot, reports `cluster_worker_up` (0 for a
 * worker that did not answer) and counts collection problems in `cluster_scrape_errors_total`.
 * A dead, stopped or restarting worker costs the scrape at most the deadline; nothing is summed
 * across workers, so nothing is counted twice, and a replaced worker's counters restart in the
 * same series (same slot).
 * @throws `TypeError` for bad options.
 * @public
 */
export function createClusterCollector<W>(options: ClusterCollectorOptions<W>): ClusterCollector {
  if (typeof options !== 'object' || options === null) throw new TypeError('createClusterCollector: options must be an object');
  const { workers, ask, primary = [], timeout = DEFAULT_SCRAPE_TIMEOUT } = options;
  if (typeof workers !== 'function') throw new TypeError('createClusterCollector: workers must be a function');
  if (typeof ask !== 'function') throw new TypeError('createClusterCollector: ask must be a function');
  if (!Array.isArray(primary) || primary.some((p) => typeof p !== 'function')) throw new TypeError('createClusterCollector: primary must be an array of functions');
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 2 ** 31 - 1) throw new TypeError(`createClusterCollector: timeout must be 1 to 2^31-1 ms, got ${String(timeout)}`);
  const errors = new Map<CollectionErrorReason, number>(COLLECTION_ERROR_REASONS.map((r) => [r, 0]));
  let running: Promise<MetricFamily[]> | undefined;

  const run = async (): Promise<MetricFamily[]> => {
    const started = performance.now();
    let targets: CollectTarget<W>[];
    try {
      targets = unique([...workers()], errors);
    } catch {
      errors.set('failed', errors.get('failed')! + 1);
      targets = [];
    }
    const [own, results] = await Promise.all([primarySources(primary, timeout, errors), collectSnapshots(targets, ask, timeout)]);
    for (const r of results) if (r.status === 'failed') errors.set(r.reason, errors.get(r.reason)! + 1);
    const merged = mergeSnapshots(
      own,
      results.flatMap((r) => (r.status === 'ok' ? [{ worker: r.worker, snapshot: r.snapshot }] : [])),
    );
    // The collector's own families win over a source that used their names: a clash, counted.
    const families = merged.families.filter((f) => !OWN.has(f.name));
    errors.set('conflict', errors.get('conflict')! + merged.conflicts + merged.families.length - families.length);
    return [...families, ...clusterFamilies(results, errors, (performance.now() - started) / 1000)];
  };

  const collect = (): Promise<MetricFamily[]> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    collect,
    exposition: async () => renderExposition(await collect()),
    contentType: EXPOSITION_CONTENT_TYPE,
  };
}
