// The registry: declares metrics under unique names and reads them all out as one snapshot.
// Observed metrics are read from their source at snapshot time, so nothing polls in between.
import { METRICS } from './definitions.js';
import { CounterImpl, GaugeImpl, HistogramImpl, type Counter, type Gauge, type Histogram, type HistogramOptions, type MetricOptions } from './metric.js';
import { type Labels, type MetricFamily, type MetricsSnapshot, type ScalarSeries } from './snapshot.js';

/**
 * What an observed metric's `read` returns: one number (no labels) or `[labels, value]` pairs.
 * @public
 */
export type Observation = number | Iterable<readonly [Record<string, string>, number]>;

/**
 * An observed metric: a counter or gauge whose values are read from their source at each snapshot.
 * @public
 */
export interface ObservedOptions extends MetricOptions {
  /** Reads the current values. A `read` that throws leaves the metric without series this time. */
  readonly read: () => Observation;
}

const DROPPED = METRICS.seriesDropped.name;

/**
 * A set of metrics with unique names, read out together by `snapshot()`.
 * @public
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, { readonly name: string; family(): MetricFamily; readonly dropped?: number }>();

  /** Declares a counter. @throws `TypeError` for a bad or taken name, bad labels or options. */
  counter(options: MetricOptions): Counter {
    return this.#add(new CounterImpl('counter', options));
  }

  /** Declares a gauge. @throws `TypeError` as `counter` does. */
  gauge(options: MetricOptions): Gauge {
    return this.#add(new GaugeImpl('gauge', options));
  }

  /** Declares a histogram with fixed buckets. @throws `TypeError` as `counter` does, or for bad buckets. */
  histogram(options: HistogramOptions): Histogram {
    return this.#add(new HistogramImpl('histogram', options));
  }

  /** Declares a counter whose values `options.read` gives at each snapshot (it must never go down). */
  observedCounter(options: ObservedOptions): void {
    this.#add(new Observed('counter', options));
  }

  /** Declares a gauge whose values `options.read` gives at each snapshot. */
  observedGauge(options: ObservedOptions): void {
    this.#add(new Observed('gauge', options));
  }

  #add<M extends { readonly name: string; family(): MetricFamily }>(metric: M): M {
    if (this.#metrics.has(metric.name) || metric.name === DROPPED) throw new TypeError(`the metric name "${metric.name}" is already taken`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /** Every metric's current values, as plain data, sorted by name. */
  snapshot(): MetricsSnapshot {
    const families: MetricFamily[] = [];
    const dropped: ScalarSeries[] = [];
    for (const metric of this.#metrics.values()) {
      families.push(metric.family());
      if ((metric.dropped ?? 0) > 0) dropped.push({ labels: label('metric', metric.name), value: metric.dropped! });
    }
    families.push({ name: DROPPED, help: METRICS.seriesDropped.help, type: 'counter', series: dropped });
    families.sort((a, b) => (a.name < b.name ? -1 : 1));
    return { families };
  }
}

function label(name: string, value: string): Labels {
  const labels: Record<string, string> = Object.create(null);
  labels[name] = value;
  return labels;
}

class Observed {
  readonly name: string;
  readonly #gauge: GaugeImpl;
  readonly #type: 'counter' | 'gauge';
  readonly #read: () => Observation;

  constructor(type: 'counter' | 'gauge', options: ObservedOptions) {
    // A gauge checks the declaration and holds the values read, so they get the same label checks.
    this.#gauge = new GaugeImpl(type === 'counter' ? 'observedCounter' : 'observedGauge', options);
    if (typeof options.read !== 'function') throw new TypeError(`${this.#gauge.name}: read must be a function`);
    this.name = this.#gauge.name;
    this.#type = type;
    this.#read = options.read;
  }

  get dropped(): number {
    return this.#gauge.dropped;
  }

  family(): MetricFamily {
    this.#gauge.reset();
    try {
      const observed = this.#read();
      if (typeof observed === 'number') this.#gauge.set(undefined, observed);
      else for (const [labels, value] of observed) this.#gauge.set(labels, value);
    } catch {
      this.#gauge.reset(); // a source that failed shows no series rather than half of them
    }
    const family = this.#gauge.family();
    return this.#type === 'counter' ? { ...family, type: 'counter', series: family.series as ScalarSeries[] } : family;
  }
}
