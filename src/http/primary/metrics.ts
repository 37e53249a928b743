// The HTTP primary's metrics, when the `metrics` option is on: its registry and instruments, the
// scrape of every slot (each worker asked at once, under one deadline), and the /metrics server.
// The supervisor calls one hook per event; the gauges are read from its view at each scrape.
import type { AddressInfo } from 'node:net';
import { createClusterCollector, type ClusterCollector } from '../../metrics/collector.js';
import { createHttpPrimaryMetrics, type HttpPrimaryMetricsHooks, type RestartReason } from '../../metrics/http.js';
import { promClientSnapshot } from '../../metrics/prom-client.js';
import { createRpcMetrics, type RpcMetricsHooks } from '../../metrics/rpc.js';
import { registerProcessMetrics } from '../../metrics/process.js';
import { MetricsRegistry } from '../../metrics/registry.js';
import { serveMetrics, type MetricsServer } from '../../metrics/server.js';
import type { MetricsSnapshot } from '../../metrics/snapshot.js';
import type { ResolvedHttpMetrics } from '../metrics-options.js';
import { candidateOf, type Member } from './member.js';

/** What the metrics read of the supervisor, at each scrape. */
export interface SupervisorView {
  /** How many slots the cluster fills (slots are 0 to slots - 1). */
  readonly slots: number;
  /** Every member known, whatever its state. */
  members(): Iterable<Member>;
  /** The member that fills each slot (at most one per slot). */
  occupants(): Iterable<Member>;
  /** The dealer's counts since the primary started (zeros without a dealer). */
  connections(): { readonly handedOver: number; readonly dropped: number };
}

/** What `retire` reports of one drain. */
export interface DrainObserver {
  /** A worker asked to drain at `startedAt` exited; `answer` is its `shutdown` answer (undefined if none came). */
  drained(startedAt: number, answer: { readonly closed?: number | undefined } | undefined, killed: boolean): void;
}

/** The balancer's figure for a ready worker: requests in flight at its last report plus hand-offs it has not acknowledged. */
export function loadScore(member: Member): number {
  const { inFlight, handedSinceReport } = candidateOf(member, undefined);
  return inFlight + handedSinceReport;
}

/** Why a crashed worker is replaced: the timeout the cluster killed it for, a failed start, else how it ended. */
export function restartReason(member: Pick<Member, 'killedOn' | 'failure'>, signal: string | null): RestartReason {
  return member.killedOn ?? (member.failure !== undefined ? 'start_failed' : signal !== null ? 'signal' : 'exit');
}

/** The primary's metrics: created by the supervisor when the `metrics` option is on. */
export class PrimaryMetrics implements DrainObserver {
  readonly registry = new MetricsRegistry();
  readonly http: HttpPrimaryMetricsHooks;
  /** The primary's RPC figures, given to its hub: one set for every worker's handle. */
  readonly rpc: RpcMetricsHooks;
  readonly #options: ResolvedHttpMetrics;
  readonly #collector: ClusterCollector;
  readonly #stopLoop: () => void;
  readonly #reloads = new WeakSet<Promise<void>>();
  #server: MetricsServer | undefined;

  constructor(options: ResolvedHttpMetrics, view: SupervisorView) {
    this.#options = options;
    this.http = createHttpPrimaryMetrics(this.registry);
    this.rpc = createRpcMetrics(this.registry);
    this.#stopLoop = registerProcessMetrics(this.registry);
    this.http.watch({
      workers: () => [...view.members()].map((m) => ({ slot: m.slot, state: m.state, load: m.state === 'ready' ? loadScore(m) : undefined })),
      connections: () => view.connections(),
    });
    const own: (() => MetricsSnapshot | Promise<MetricsSnapshot>)[] = [() => this.registry.snapshot()];
    if (options.promClient) own.push(() => promClientSnapshot());
    this.#collector = createClusterCollector<Member | undefined>({
      // Every slot, filled or not: an empty slot (its worker died, its replacement not forked yet) shows as down.
      workers: () => {
        const bySlot = new Map([...view.occupants()].map((m) => [m.slot, m]));
        return Array.from({ length: view.slots }, (_, slot) => {
          const member = bySlot.get(slot);
          return { worker: String(slot), target: member, alive: member !== undefined && member.state !== 'gone' };
        });
      },
      ask: (member, { signal, timeout }) => member!.handle.call('metrics', undefined, { signal, timeout }),
      primary: own,
      timeout: options.timeout,
    });
  }

  /** Where `/metrics` is served; undefined without a `port`, or before `listen()`. */
  get address(): AddressInfo | undefined {
    return this.#server?.address;
  }

  /**
   * Checks that prom-client can be loaded when asked for, then serves `/metrics` when a port was
   * given. On failure it runs `undo` (closing what the start opened before it) and rejects.
   */
  async listen(undo: () => Promise<void> | undefined = () => undefined): Promise<void> {
    try {
      await this.#listen();
    } catch (error) {
      await undo();
      throw error;
    }
  }

  async #listen(): Promise<void> {
    if (this.#options.promClient) {
      await promClientSnapshot().catch((error: unknown) => {
        throw new Error('runHttpCluster: metrics.promClient needs prom-client installed (npm install prom-client)', { cause: error });
      });
    }
    if (this.#options.port === undefined) return;
    const { port, host, path } = this.#options;
    this.#server = await serveMetrics({ exposition: () => this.#collector.exposition(), port, host, path }).catch((error: unknown) => {
      throw new Error(`runHttpCluster: cannot serve metrics on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }

  /** The whole cluster's Prometheus text; never rejects, answers within the timeout. */
  exposition(): Promise<string> {
    return this.#collector.exposition();
  }

  /** A crashed worker's replacement was forked. */
  restarted(member: Member, signal: string | null): void {
    this.http.workerRestarted(restartReason(member, signal));
  }

  /**
   * Counts a rolling restart once it settles, timed from the first call that saw it (a joined
   * reload is the same promise: counted once). Returns `reload`.
   */
  reloading(reload: Promise<void>, startedAt = performance.now()): Promise<void> {
    if (this.#reloads.has(reload)) return reload;
    this.#reloads.add(reload);
    const seconds = (): number => (performance.now() - startedAt) / 1000;
    reload.then(
      () => this.http.reloadFinished('ok', seconds()),
      () => this.http.reloadFinished('failed', seconds()),
    );
    return reload;
  }

  drained(startedAt: number, answer: { readonly closed?: number | undefined } | undefined, killed: boolean): void {
    this.http.workerDrained((performance.now() - startedAt) / 1000, answer?.closed ?? 0, killed);
  }

  /** Stops serving and sampling. */
  async close(): Promise<void> {
    this.#stopLoop();
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}
