// Counters, gauges and fixed-bucket histograms with bounded, validated label sets, each read out
// as a plain family. No dependency; imports nothing of the RPC layers.
import { isLabelName, isMetricName, SNAPSHOT_LIMITS, toSample, type Labels, type MetricFamily } from './snapshot.js';

/**
 * What every metric is declared with.
 * @public
 */
export interface MetricOptions {
  /** The Prometheus name: `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`. */
  readonly name: string;
  /** One sentence saying what it measures. */
  readonly help: string;
  /** The names of its labels; every series sets each one. */
  readonly labelNames?: readonly string[];
  /**
   * The most series (label sets) it keeps; a new label set past it is not recorded, and counted in
   * `cluster_metrics_series_dropped_total`.
   * @defaultValue `1_000`
   */
  readonly maxSeries?: number;
}

/**
 * A histogram's declaration: its fixed bucket upper bounds.
 * @public
 */
export interface HistogramOptions extends MetricOptions {
  /** Finite upper bounds, ascending; `+Inf` is implicit. */
  readonly buckets: readonly number[];
}

/** The most series a metric keeps by default. */
export const DEFAULT_MAX_SERIES = 1_000;
const NO_LABELS: Labels = Object.freeze(Object.create(null) as Record<string, string>);

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxSeries: number;
  /** Label sets refused because the metric had `maxSeries` already. */
  dropped = 0;
  protected readonly series = new Map<string, { labels: Labels; state: S }>();
  #dropped: S | undefined;

  constructor(where: string, options: MetricOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
    const { name, help, labelNames = [], maxSeries = DEFAULT_MAX_SERIES } = options;
    if (!isMetricName(name)) throw new TypeError(`${where}: ${JSON.stringify(name)} is not a valid metric name`);
    if (typeof help !== 'string' || help.length === 0 || help.length > SNAPSHOT_LIMITS.helpLength) throw new TypeError(`${where}: "${name}" needs a help text`);
    if (!Array.isArray(labelNames) || labelNames.length > SNAPSHOT_LIMITS.labelsPerSeries) throw new TypeError(`${where}: "${name}": labelNames must be an array`);
    for (const label of labelNames) {
      if (!isLabelName(label) || label === 'le' || label === 'quantile') throw new TypeError(`${where}: "${name}": ${JSON.stringify(label)} is not a usable label name`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new TypeError(`${where}: "${name}": a label name is repeated`);
    if (!Number.isInteger(maxSeries) || maxSeries < 1) throw new TypeError(`${where}: "${name}": maxSeries must be a positive integer`);
    this.name = name;
    this.help = help;
    this.labelNames = Object.freeze([...labelNames]);
    this.maxSeries = maxSeries;
  }

  protected abstract create(): S;

  /** The state of one label set, created on first use; a throwaway one past `maxSeries`. */
  protected state(labels: Record<string, string> | undefined): S {
    const values = this.#values(labels);
    const key = values.length === 0 ? '' : values.length === 1 ? values[0]! : JSON.stringify(values);
    const found = this.series.get(key);
    if (found !== undefined) return found.state;
    if (this.series.size >= this.maxSeries) {
      this.dropped++;
      return (this.#dropped ??= this.create());
    }
    const own: Record<string, string> = Object.create(null);
    this.labelNames.forEach((n, i) => (own[n] = values[i]!));
    const entry = { labels: values.length === 0 ? NO_LABELS : Object.freeze(own), state: this.create() };
    this.series.set(key, entry);
    return entry.state;
  }

  #values(labels: Record<string, string> | undefined): string[] {
    const given = labels === undefined ? 0 : Object.keys(labels).length;
    if (given !== this.labelNames.length) {
      throw new TypeError(`${this.name}: expected the labels [${this.labelNames.join(', ')}], got ${given === 0 ? 'none' : `[${Object.keys(labels!).join(', ')}]`}`);
    }
    return this.labelNames.map((n) => {
      const value = Object.hasOwn(labels!, n) ? labels![n] : undefined;
      if (typeof value !== 'string') throw new TypeError(`${this.name}: label "${n}" must be a string, got ${typeof value}`);
      if (value.length > SNAPSHOT_LIMITS.labelValueLength) throw new TypeError(`${this.name}: label "${n}" is longer than ${SNAPSHOT_LIMITS.labelValueLength} characters`);
      return value;
    });
  }

  /** Forgets every series (for gauges whose label sets come and go). */
  reset(): void {
    this.series.clear();
  }

  abstract family(): MetricFamily;
}

/** A counter's or a gauge's value cell. */
interface Cell {
  value: number;
}

/**
 * A monotonically increasing count. A process that restarts starts it again from zero.
 * @public
 */
export interface Counter {
  /** Its name. */
  readonly name: string;
  /** Adds `value` (default 1; never negative, never infinite) to the series of `labels`. @throws `TypeError` for bad labels or a bad value. */
  inc(labels?: Record<string, string>, value?: number): void;
  /** A handle on one series, for hot paths: its `inc` does no label lookup (and ignores a bad value). */
  child(labels?: Record<string, string>): { inc(value?: number): void };
}

/**
 * A value that goes up and down.
 * @public
 */
export interface Gauge {
  /** Its name. */
  readonly name: string;
  /** Sets the series of `labels` to `value`. */
  set(labels: Record<string, string> | undefined, value: number): void;
  /** Adds `value` (default 1, may be negative) to the series of `labels`. */
  inc(labels?: Record<string, string>, value?: number): void;
  /** Forgets every series (for label sets that come and go). */
  reset(): void;
}

/**
 * Observations counted into fixed buckets, with their sum and count.
 * @public
 */
export interface Histogram {
  /** Its name. */
  readonly name: string;
  /** The finite bucket upper bounds, ascending. */
  readonly bounds: readonly number[];
  /** Records `value` in the series of `labels`; NaN is ignored. */
  observe(labels: Record<string, string> | undefined, value: number): void;
  /** A handle on one series, for hot paths: its `observe` does no label lookup. */
  child(labels?: Record<string, string>): { observe(value: number): void };
}

export class CounterImpl extends Metric<Cell> implements Counter {
  /** A new series' state. */
  protected create(): Cell {
    return { value: 0 };
  }
  /** Adds `value` (default 1, never negative) to the series of `labels`. */
  inc(labels?: Record<string, string>, value = 1): void {
    if (!(value >= 0) || value === Infinity) throw new TypeError(`${this.name}: a counter only goes up by a finite amount, got ${value}`);
    this.state(labels).value += value;
  }
  /** A handle on one series, for hot paths: its `inc` does no label lookup. */
  child(labels?: Record<string, string>): { inc(value?: number): void } {
    const cell = this.state(labels);
    return {
      inc: (value = 1) => {
        if (value >= 0 && value !== Infinity) cell.value += value;
      },
    };
  }
  /** Its series as plain data. */
  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'counter', series: [...this.series.values()].map((s) => ({ labels: s.labels, value: toSample(s.state.value) })) };
  }
}

export class GaugeImpl extends Metric<Cell> implements Gauge {
  /** A new series' state. */
  protected create(): Cell {
    return { value: 0 };
  }
  /** Sets the series of `labels` to `value`. */
  set(labels: Record<string, string> | undefined, value: number): void {
    if (typeof value !== 'number') throw new TypeError(`${this.name}: a gauge is set to a number, got ${typeof value}`);
    this.state(labels).value = value;
  }
  /** Adds `value` (may be negative) to the series of `labels`. */
  inc(labels?: Record<string, string>, value = 1): void {
    this.state(labels).value += value;
  }
  /** Its series as plain data. */
  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'gauge', series: [...this.series.values()].map((s) => ({ labels: s.labels, value: toSample(s.state.value) })) };
  }
}

/** A histogram's per-series state: counts per bucket (not cumulative), sum and count. */
interface Buckets {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class HistogramImpl extends Metric<Buckets> implements Histogram {
  /** The finite bucket upper bounds, ascending. */
  readonly bounds: readonly number[];

  constructor(where: string, options: HistogramOptions) {
    const buckets: unknown = options?.buckets;
    if (!Array.isArray(buckets) || buckets.length === 0 || buckets.length > SNAPSHOT_LIMITS.buckets) {
      throw new TypeError(`${where}: "${String(options?.name)}": buckets must be 1 to ${SNAPSHOT_LIMITS.buckets} upper bounds`);
    }
    buckets.forEach((b: unknown, i) => {
      if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1])) {
        throw new TypeError(`${where}: "${options.name}": buckets must be finite and strictly ascending`);
      }
    });
    super(where, options);
    this.bounds = Object.freeze([...(buckets as number[])]);
  }

  /** A new series' state. */
  protected create(): Buckets {
    return { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** Records `value` in the series of `labels`. */
  observe(labels: Record<string, string> | undefined, value: number): void {
    record(this.state(labels), this.bounds, value);
  }

  /** A handle on one series, for hot paths: its `observe` does no label lookup. */
  child(labels?: Record<string, string>): { observe(value: number): void } {
    const state = this.state(labels);
    const bounds = this.bounds;
    return { observe: (value) => record(state, bounds, value) };
  }

  /** Its series as plain data. */
  family(): MetricFamily {
    const series = [...this.series.values()].map((s) => {
      let running = 0;
      const buckets = this.bounds.map((_, i) => (running += s.state.counts[i]!));
      return { labels: s.labels, buckets, sum: toSample(s.state.sum), count: s.state.count };
    });
    return { name: this.name, help: this.help, type: 'histogram', bounds: this.bounds, series };
  }
}

function record(state: Buckets, bounds: readonly number[], value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) return;
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  state.counts[i]!++;
  state.sum += value;
  state.count++;
}
