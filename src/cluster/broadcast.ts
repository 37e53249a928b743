// Scatter/gather: one call to each target at once, one settled entry per target with its latency,
// never a rejection because one target failed. Knows nothing of node:cluster: the NATS transport's
// broadcast can gather the same way.
import { setMaxListeners } from 'node:events';

/** A target of a broadcast: something to call, and how its entry names it. */
export interface BroadcastTarget<I> {
  readonly info: I;
  call(method: string, input: unknown, options: unknown): Promise<unknown>;
}

/** One target's settled entry. */
export type Settled<I> =
  | { readonly worker: I; readonly status: 'fulfilled'; readonly value: unknown; readonly ms: number }
  | { readonly worker: I; readonly status: 'rejected'; readonly reason: unknown; readonly ms: number };

/** Calls `method` on every target at once; resolves to one entry per target, in their order. */
export function gather<I>(targets: readonly BroadcastTarget<I>[], method: string, input: unknown, options: unknown): Promise<Settled<I>[]> {
  // One listener on the caller's signal, whatever the number of targets: each call listens to a
  // signal of our own instead (Node warns past ten listeners on one signal).
  const signal = (options as { signal?: unknown } | undefined)?.signal;
  let callOptions = options;
  let release = (): void => {};
  if (signal instanceof AbortSignal && !signal.aborted && targets.length > 1) {
    const relay = new AbortController();
    setMaxListeners(0, relay.signal);
    const onAbort = (): void => relay.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    release = () => signal.removeEventListener('abort', onAbort);
    callOptions = { ...(options as object), signal: relay.signal };
  }
  return Promise.all(
    targets.map((target) => {
      const started = performance.now();
      return target.call(method, input, callOptions).then(
        (value): Settled<I> => ({ worker: target.info, status: 'fulfilled', value, ms: performance.now() - started }),
        (reason: unknown): Settled<I> => ({ worker: target.info, status: 'rejected', reason, ms: performance.now() - started }),
      );
    }),
  ).finally(release);
}
