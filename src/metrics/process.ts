// Per-process figures read at each scrape: CPU time, memory, and the event-loop delay since the
// previous scrape. Each worker reports its own; the primary's merge labels them by slot.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { METRICS } from './definitions.js';
import type { MetricsRegistry } from './registry.js';
import { optionsOf } from './rpc.js';

const NS_PER_S = 1e9;
const US_PER_S = 1e6;
// The sampling timer's period; the delay is what exceeds it.
const RESOLUTION_MS = 10;

/**
 * Declares CPU, memory and event-loop delay metrics in `registry`. The event-loop monitor runs
 * until the returned function is called.
 * @public
 */
export function registerProcessMetrics(registry: MetricsRegistry): () => void {
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  // The three delay gauges read one sample of the histogram per scrape, then reset it.
  let sample: { p50: number; p99: number; max: number } | undefined;
  const read = (key: 'p50' | 'p99' | 'max'): number => {
    if (sample === undefined) {
      const seconds = (ns: number): number => (loop.count > 0 ? Math.max(0, ns / NS_PER_S - RESOLUTION_MS / 1000) : 0);
      sample = { p50: seconds(loop.percentile(50)), p99: seconds(loop.percentile(99)), max: seconds(loop.max) };
      loop.reset();
      queueMicrotask(() => (sample = undefined));
    }
    return sample[key];
  };
  registry.observedCounter({
    ...optionsOf(METRICS.cpu),
    read: () => {
      const usage = process.cpuUsage();
      return [
        [{ cpu_mode: 'user' }, usage.user / US_PER_S],
        [{ cpu_mode: 'system' }, usage.system / US_PER_S],
      ];
    },
  });
  registry.observedGauge({ ...optionsOf(METRICS.memory), read: () => process.memoryUsage.rss() });
  registry.observedGauge({ ...optionsOf(METRICS.heapUsed), read: () => process.memoryUsage().heapUsed });
  registry.observedGauge({ ...optionsOf(METRICS.loopDelayP50), read: () => read('p50') });
  registry.observedGauge({ ...optionsOf(METRICS.loopDelayP99), read: () => read('p99') });
  registry.observedGauge({ ...optionsOf(METRICS.loopDelayMax), read: () => read('max') });
  return () => loop.disable();
}
