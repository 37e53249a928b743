// Metrics as plain data: what a worker sends the primary over RPC (it survives both IPC
// serializations), and the guard that reads such data from an untrusted peer. Imports nothing of
// the RPC layers.

/**
 * A sample's value. JSON cannot carry non-finite numbers, so they travel as these strings.
 * @public
 */
export type SampleValue = number | 'NaN' | '+Inf' | '-Inf';

/**
 * Label names to values, on a null-prototype object once read from a peer.
 * @public
 */
export type Labels = Readonly<Record<string, string>>;

/**
 * One series of a counter or a gauge.
 * @public
 */
export interface ScalarSeries {
  /** The series' labels. */
  readonly labels: Labels;
  /** Its value. */
  readonly value: SampleValue;
}

/**
 * One series of a histogram: cumulative counts per upper bound of its family's `bounds` (the
 * `+Inf` bucket is `count`), and the sum of the observed values.
 * @public
 */
export interface HistogramSeries {
  /** The series' labels (no `le`). */
  readonly labels: Labels;
  /** Cumulative counts, one per bound of the family. */
  readonly buckets: readonly number[];
  /** The sum of the observed values. */
  readonly sum: SampleValue;
  /** How many values were observed (the `+Inf` bucket). */
  readonly count: number;
}

/**
 * One series of a summary: `[quantile, value]` pairs, sum and count (from prom-client).
 * @public
 */
export interface SummarySeries {
  /** The series' labels (no `quantile`). */
  readonly labels: Labels;
  /** `[quantile, value]` pairs, quantiles from 0 to 1. */
  readonly quantiles: readonly (readonly [number, SampleValue])[];
  /** The sum of the observed values. */
  readonly sum: SampleValue;
  /** How many values were observed. */
  readonly count: number;
}

/**
 * One metric family: its name, help, type and series.
 * @public
 */
export type MetricFamily =
  | { readonly name: string; readonly help: string; readonly type: 'counter' | 'gauge'; readonly series: readonly ScalarSeries[] }
  | {
      readonly name: string;
      readonly help: string;
      readonly type: 'histogram';
      /** Finite upper bounds, ascending; the `+Inf` bucket is implicit. */
      readonly bounds: readonly number[];
      readonly series: readonly HistogramSeries[];
    }
  | { readonly name: string; readonly help: string; readonly type: 'summary'; readonly series: readonly SummarySeries[] };

/**
 * The metrics of one process at one moment, as plain serializable data.
 * @public
 */
export interface MetricsSnapshot {
  /** One entry per metric. */
  readonly families: readonly MetricFamily[];
}

/** Bounds on what a peer's snapshot may hold. */
export const SNAPSHOT_LIMITS = Object.freeze({
  families: 1_000,
  seriesPerFamily: 10_000,
  samples: 200_000,
  labelsPerSeries: 32,
  labelValueLength: 1_024,
  helpLength: 1_024,
  buckets: 64,
});

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_NAME_LENGTH = 200;

/** Whether `name` is a valid Prometheus metric name. */
export function isMetricName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && METRIC_NAME.test(name);
}

/** Whether `name` is a valid label name that is not reserved (`__…`). */
export function isLabelName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && LABEL_NAME.test(name) && !name.startsWith('__');
}

/** Encodes a number for a snapshot: non-finite ones as strings. */
export function toSample(value: number): SampleValue {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
}

function isSample(value: unknown): value is SampleValue {
  return typeof value === 'number' || value === 'NaN' || value === '+Inf' || value === '-Inf';
}

class Invalid extends Error {}

function fail(message: string): never {
  throw new Invalid(message);
}

function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

function readLabels(raw: unknown, where: string): Labels {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where}: labels is not an object`);
  const labels: Record<string, string> = Object.create(null);
  const keys = Object.keys(raw);
  if (keys.length > SNAPSHOT_LIMITS.labelsPerSeries) fail(`${where}: more than ${SNAPSHOT_LIMITS.labelsPerSeries} labels`);
  for (const key of keys) {
    const value = (raw as Record<string, unknown>)[key];
    if (!isLabelName(key)) fail(`${where}: bad label name ${JSON.stringify((key as string).slice(0, 64))}`);
    if (typeof value !== 'string' || value.length > SNAPSHOT_LIMITS.labelValueLength) fail(`${where}: label "${key}" has a bad value`);
    labels[key] = value;
  }
  return labels;
}

function readCount(raw: unknown, where: string): number {
  if (typeof raw !== 'number' || !(raw >= 0) || raw === Infinity) fail(`${where}: bad count`);
  return raw;
}

function readSeries(family: MetricFamily['type'], raw: unknown, bounds: readonly number[], where: string): MetricFamily['series'][number] {
  if (typeof raw !== 'object' || raw === null) fail(`${where}: series is not an object`);
  const labels = readLabels(own(raw, 'labels'), where);
  if (family === 'counter' || family === 'gauge') {
    const value = own(raw, 'value');
    if (!isSample(value)) fail(`${where}: bad value`);
    return { labels, value };
  }
  const sum = own(raw, 'sum');
  if (!isSample(sum)) fail(`${where}: bad sum`);
  const count = readCount(own(raw, 'count'), where);
  if (family === 'histogram') {
    const buckets = own(raw, 'buckets');
    if (!Array.isArray(buckets) || buckets.length !== bounds.length) fail(`${where}: buckets do not match the bounds`);
    const counts = buckets.map((b) => readCount(b, where));
    if (counts.some((c, i) => c > (i + 1 < counts.length ? counts[i + 1]! : count))) fail(`${where}: buckets are not cumulative`);
    return { labels, buckets: counts, sum, count };
  }
  const quantiles = own(raw, 'quantiles');
  if (!Array.isArray(quantiles) || quantiles.length > SNAPSHOT_LIMITS.buckets) fail(`${where}: bad quantiles`);
  const pairs = quantiles.map((q): readonly [number, SampleValue] => {
    if (!Array.isArray(q) || typeof q[0] !== 'number' || !(q[0] >= 0 && q[0] <= 1) || !isSample(q[1])) fail(`${where}: bad quantile`);
    return [q[0], q[1]];
  });
  return { labels, quantiles: pairs, sum, count };
}

function readBounds(raw: unknown, where: string): number[] {
  if (!Array.isArray(raw) || raw.length > SNAPSHOT_LIMITS.buckets) fail(`${where}: bad bounds`);
  for (let i = 0; i < raw.length; i++) {
    const b: unknown = raw[i];
    if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= (raw[i - 1] as number))) fail(`${where}: bounds must be finite and ascending`);
  }
  return raw as number[];
}

function readFamily(raw: unknown, budget: { samples: number }): MetricFamily {
  if (typeof raw !== 'object' || raw === null) fail('a family is not an object');
  const name = own(raw, 'name');
  if (!isMetricName(name)) fail(`bad metric name ${JSON.stringify(typeof name === 'string' ? name.slice(0, 64) : typeof name)}`);
  const help = own(raw, 'help');
  if (typeof help !== 'string' || help.length > SNAPSHOT_LIMITS.helpLength) fail(`${name}: bad help`);
  const type = own(raw, 'type');
  if (type !== 'counter' && type !== 'gauge' && type !== 'histogram' && type !== 'summary') fail(`${name}: bad type`);
  const rawSeries = own(raw, 'series');
  if (!Array.isArray(rawSeries) || rawSeries.length > SNAPSHOT_LIMITS.seriesPerFamily) fail(`${name}: bad series list`);
  const bounds = type === 'histogram' ? readBounds(own(raw, 'bounds'), name) : [];
  budget.samples -= rawSeries.length * (bounds.length + 3);
  if (budget.samples < 0) fail(`more than ${SNAPSHOT_LIMITS.samples} samples`);
  const series = rawSeries.map((s: unknown) => readSeries(type, s, bounds, name));
  return (type === 'histogram' ? { name, help, type, bounds, series } : { name, help, type, series }) as MetricFamily;
}

/**
 * Reads a snapshot from an untrusted peer. Returns the snapshot (label objects rebuilt on null
 * prototypes) or a string saying what is wrong. Never throws.
 * @public
 */
export function readSnapshot(raw: unknown): MetricsSnapshot | string {
  try {
    if (typeof raw !== 'object' || raw === null) return 'the snapshot is not an object';
    const families = own(raw, 'families');
    if (!Array.isArray(families)) return 'the snapshot has no family list';
    if (families.length > SNAPSHOT_LIMITS.families) return `more than ${SNAPSHOT_LIMITS.families} families`;
    const budget = { samples: SNAPSHOT_LIMITS.samples };
    return { families: families.map((f: unknown) => readFamily(f, budget)) };
  } catch (error) {
    if (error instanceof Invalid) return error.message;
    return 'the snapshot could not be read';
  }
}
