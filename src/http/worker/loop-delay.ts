// The event-loop delay a worker reports: a histogram sampled and reset at each report interval.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
// The histogram records the time between its timer's ticks; the delay is what exceeds the period.
const LOOP_RESOLUTION_MS = 10;

/** Samples the event-loop delay of this process. */
export class LoopDelay {
  readonly #histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  /** The delays over the last sampled interval, in milliseconds. */
  p50 = 0;
  p99 = 0;

  constructor() {
    this.#histogram.enable();
  }

  /** Reads the interval's percentiles (kept when no tick was recorded) and starts a new interval. */
  sample(): void {
    const h = this.#histogram;
    if (h.count > 0) {
      this.p50 = Math.max(0, h.percentile(50) / NS_PER_MS - LOOP_RESOLUTION_MS);
      this.p99 = Math.max(0, h.percentile(99) / NS_PER_MS - LOOP_RESOLUTION_MS);
    }
    h.reset();
  }
}
