// The RPC layer's instruments: the hook interface an endpoint calls where things happen, and its
// implementation over a registry. An endpoint without metrics holds `undefined` and pays one
// check per hook site. Imports only the error table.
import { METRICS, type MetricDefinition } from './definitions.js';
import type { MetricOptions } from './metric.js';
import { isOutcome, outcomeOf } from './outcome.js';
import type { MetricsRegistry } from './registry.js';

export { outcomeOf };

/**
 * Which end of a call: `client` made it, `server` served it.
 * @public
 */
export type RpcSide = 'client' | 'server';

/**
 * What an endpoint shows of itself at each snapshot: its calls in flight both ways, its transport
 * backlog and its mailbox queues. Read only when a snapshot is taken, so the hot path keeps no
 * gauge of its own.
 * @public
 */
export interface RpcGaugeSource {
  /** Calls this endpoint made that await their reply. */
  inFlight(): number;
  /** Incoming calls queued or running. */
  handling(): number;
  /** Frames waiting for the channel. */
  backlog(): number;
  /** `[mailbox, waiting]` per mailbox: `'shared'` for the endpoint's own, else the procedure's name. */
  mailboxes(): Iterable<readonly [string, number]>;
}

/**
 * The hooks an endpoint calls. Every argument is bounded: `method` is a procedure of the
 * contract, `outcome` is `'ok'`, an error code or `'error'` (anything else becomes `'error'`).
 * @public
 */
export interface RpcMetricsHooks {
  /** A call settled: `seconds` since it was sent (`client`) or arrived (`server`). */
  callSettled(method: string, side: RpcSide, outcome: string, seconds: number): void;
  /** A call was refused before it was sent (`client`) or before a handler ran (`server`); `reason` is the error code. */
  callRefused(side: RpcSide, reason: string): void;
  /** A reply arrived after its call had settled. */
  lateReply(): void;
  /** A malformed or unexpected frame arrived. */
  protocolError(): void;
  /** The process at the other end of a link went away. */
  peerExited(): void;
  /** Reads `source` at each snapshot until the returned function is called. */
  watch(source: RpcGaugeSource): () => void;
}

/** A definition as registry options (the histogram's buckets included). */
export function optionsOf(d: MetricDefinition, maxSeries?: number): MetricOptions & { buckets: readonly number[] } {
  return { name: d.name, help: d.help, labelNames: d.labelNames, buckets: d.buckets ?? [], ...(maxSeries !== undefined ? { maxSeries } : {}) };
}

type Observe = { observe(value: number): void };
const MAX_METHODS = 1_000;

/**
 * Declares the RPC metrics in `registry` and returns the hooks that feed them. Create it once
 * per process and give it to every endpoint: their figures add up.
 * @throws `TypeError` when the registry already has one of the names.
 * @public
 */
export function createRpcMetrics(registry: MetricsRegistry): RpcMetricsHooks {
  const durations = {
    client: registry.histogram(optionsOf(METRICS.clientDuration, 4_000)),
    server: registry.histogram(optionsOf(METRICS.serverDuration, 4_000)),
  };
  // Per side, per method, per outcome: a cached series handle, so a settled call does two map lookups.
  const handles = { client: new Map<string, Map<string, Observe>>(), server: new Map<string, Map<string, Observe>>() };
  const refused = { client: registry.counter(optionsOf(METRICS.clientRefused)), server: registry.counter(optionsOf(METRICS.serverRefused)) };
  const late = registry.counter(optionsOf(METRICS.lateReplies));
  const protocol = registry.counter(optionsOf(METRICS.protocolErrors));
  const exits = registry.counter(optionsOf(METRICS.peerExits));
  const sources = new Set<RpcGaugeSource>();
  const sum = (read: (s: RpcGaugeSource) => number) => (): number => [...sources].reduce((n, s) => n + read(s), 0);
  registry.observedGauge({ ...optionsOf(METRICS.clientActive), read: sum((s) => s.inFlight()) });
  registry.observedGauge({ ...optionsOf(METRICS.serverActive), read: sum((s) => s.handling()) });
  registry.observedGauge({ ...optionsOf(METRICS.backlog), read: sum((s) => s.backlog()) });
  registry.observedGauge({
    ...optionsOf(METRICS.mailboxQueue),
    read: () => {
      const queues = new Map<string, number>();
      for (const s of sources) for (const [name, waiting] of s.mailboxes()) queues.set(name, (queues.get(name) ?? 0) + waiting);
      return [...queues].map(([mailbox, waiting]) => [{ mailbox }, waiting] as const);
    },
  });

  const none: { method: string | undefined; outcome: string | undefined; series: Observe } = { method: undefined, outcome: undefined, series: { observe: () => {} } };
  const lastSettled = { client: none, server: none };
  const handle = (side: RpcSide, method: string, outcome: string): Observe => {
    const label = isOutcome(outcome) ? outcome : 'error';
    let byOutcome = handles[side].get(method);
    if (byOutcome === undefined) {
      // Methods come from the contract; a cache past the series cap would only hold refusals.
      if (handles[side].size >= MAX_METHODS) return durations[side].child({ method: String(method), outcome: label });
      handles[side].set(method, (byOutcome = new Map()));
    }
    let h = byOutcome.get(label);
    if (h === undefined) byOutcome.set(label, (h = durations[side].child({ method: String(method), outcome: label })));
    return h;
  };

  return {
    callSettled: (method, side, outcome, seconds) => {
      // Calls come in runs of the same method and outcome (a batch of replies): the last series
      // found is tried first, by three string comparisons instead of three lookups.
      const last = lastSettled[side];
      if (last.method === method && last.outcome === outcome) return last.series.observe(seconds);
      const series = handle(side, method, outcome);
      lastSettled[side] = { method, outcome, series };
      series.observe(seconds);
    },
    callRefused: (side, reason) => refused[side].inc({ reason: isOutcome(reason) ? reason : 'error' }),
    lateReply: () => late.inc(),
    protocolError: () => protocol.inc(),
    peerExited: () => exits.inc(),
    watch: (source) => {
      sources.add(source);
      return () => void sources.delete(source);
    },
  };
}
