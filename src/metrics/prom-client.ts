// The prom-client adapter: a process's prom-client metrics (`getMetricsAsJSON()`) as a snapshot,
// so that a worker's own metrics join the primary's scrape under its worker label. prom-client is
// an optional peer dependency, imported only when this is called without a registry.
import { toSample, type HistogramSeries, type Labels, type MetricFamily, type MetricsSnapshot, type SummarySeries } from './snapshot.js';

/**
 * What the adapter needs of a prom-client `Registry`.
 * @public
 */
export interface PromClientRegistryLike {
  /** The registry's metrics as prom-client's JSON. */
  getMetricsAsJSON(): Promise<readonly unknown[]> | readonly unknown[];
}

interface PromValue {
  readonly value: unknown;
  readonly labels: Record<string, unknown>;
  readonly metricName?: unknown;
}

function labelsOf(raw: unknown, skip?: string): Labels {
  const labels: Record<string, string> = Object.create(null);
  if (typeof raw !== 'object' || raw === null) return labels;
  for (const [k, v] of Object.entries(raw)) if (k !== skip && v !== undefined) labels[k] = String(v);
  return labels;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}

/** Groups a histogram's or summary's values by their labels without `le` / `quantile`. */
function group(values: readonly PromValue[], special: string): Map<string, { labels: Labels; parts: PromValue[] }> {
  const groups = new Map<string, { labels: Labels; parts: PromValue[] }>();
  for (const v of values) {
    const labels = labelsOf(v.labels, special);
    const key = JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { labels, parts: [] }));
    g.parts.push(v);
  }
  return groups;
}

function histogram(name: string, help: string, values: readonly PromValue[]): MetricFamily {
  const groups = [...group(values, 'le').values()];
  const bounds = [...new Set(values.filter((v) => String(v.metricName).endsWith('_bucket')).map((v) => Number(v.labels['le'])))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const series: HistogramSeries[] = groups.map(({ labels, parts }) => {
    const byBound = new Map<number, number>();
    let sum = NaN;
    let count = 0;
    for (const p of parts) {
      const metric = String(p.metricName);
      if (metric.endsWith('_sum')) sum = num(p.value);
      else if (metric.endsWith('_count')) count = num(p.value);
      else if (metric.endsWith('_bucket')) byBound.set(Number(p.labels['le']), num(p.value));
    }
    return { labels, buckets: bounds.map((b) => byBound.get(b) ?? 0), sum: toSample(sum), count };
  });
  return { name, help, type: 'histogram', bounds, series };
}

function summary(name: string, help: string, values: readonly PromValue[]): MetricFamily {
  const series: SummarySeries[] = [...group(values, 'quantile').values()].map(({ labels, parts }) => {
    let sum = NaN;
    let count = 0;
    const quantiles: [number, ReturnType<typeof toSample>][] = [];
    for (const p of parts) {
      const metric = String(p.metricName ?? '');
      if (metric.endsWith('_sum')) sum = num(p.value);
      else if (metric.endsWith('_count')) count = num(p.value);
      else quantiles.push([Number(p.labels['quantile']), toSample(num(p.value))]);
    }
    return { labels, quantiles, sum: toSample(sum), count };
  });
  return { name, help, type: 'summary', series };
}

/**
 * Converts prom-client's `getMetricsAsJSON()` output to a snapshot. Families of other types are
 * left out; the primary validates the result like any worker's.
 * @public
 */
export function fromPromClientJson(metrics: readonly unknown[]): MetricsSnapshot {
  const families: MetricFamily[] = [];
  for (const raw of metrics) {
    if (typeof raw !== 'object' || raw === null) continue;
    const { name, help, type, values } = raw as Record<string, unknown>;
    if (typeof name !== 'string' || !Array.isArray(values)) continue;
    const vs = values.filter((v): v is PromValue => typeof v === 'object' && v !== null);
    const text = typeof help === 'string' && help.length > 0 ? help : name;
    if (type === 'counter' || type === 'gauge') {
      families.push({ name, help: text, type, series: vs.map((v) => ({ labels: labelsOf(v.labels), value: toSample(num(v.value)) })) });
    } else if (type === 'histogram') families.push(histogram(name, text, vs));
    else if (type === 'summary') families.push(summary(name, text, vs));
  }
  return { families };
}

/**
 * Reads a prom-client registry (by default prom-client's global `register`, imported on first
 * use) as a snapshot, to send to the primary beside the library's own.
 * @throws `Error` (rejects) when no registry is given and prom-client is not installed.
 * @public
 */
export async function promClientSnapshot(registry?: PromClientRegistryLike): Promise<MetricsSnapshot> {
  let source = registry;
  if (source === undefined) {
    let mod: { register?: PromClientRegistryLike; default?: { register?: PromClientRegistryLike } };
    try {
      mod = (await import('prom-client')) as never;
    } catch (error) {
      throw new Error('promClientSnapshot: prom-client is not installed (npm install prom-client), or pass a registry', { cause: error });
    }
    source = mod.register ?? mod.default?.register;
    if (source === undefined) throw new Error('promClientSnapshot: prom-client has no default register');
  }
  return fromPromClientJson(await source.getMetricsAsJSON());
}

/**
 * Puts several snapshots of one process together (the library's and prom-client's). The
 * primary's merge resolves a family name used by two of them: of the same type their series
 * join; otherwise, or for a repeated series, the first wins and each clash counts in
 * `cluster_scrape_errors_total{reason="conflict"}`.
 * @public
 */
export function combineSnapshots(...snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  return { families: snapshots.flatMap((s) => s.families) };
}
