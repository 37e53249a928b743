// The HTTP cluster's own contract: control traffic between the supervisor and its workers is RPC
// like any other, merged with the user's contract under reserved names. Each shape is written once,
// as a schema; its TypeScript type is derived from it. Imports no other module of src/http.
import { z } from 'zod';
import type { PrimaryHub } from '../cluster/primary.js';
import type { PrimaryLink } from '../cluster/worker.js';
import { defineContract, type Contract, type EventMap, type ProcedureMap } from '../contract/contract.js';
import type { Handlers } from '../endpoint/typed.js';

/** What one worker reports of itself. */
export const workerStatsSchema = z.object({
  workerId: z.number(),
  pid: z.number(),
  uptimeMs: z.number(),
  inFlight: z.number(),
  handled: z.number(),
  eventLoopDelayP50Ms: z.number(),
  eventLoopDelayP99Ms: z.number(),
  rssBytes: z.number(),
  heapUsedBytes: z.number(),
});

/** The small report a worker pushes at every load interval, and after taking hand-offs. */
export const loadReportSchema = z.object({
  /** Requests in flight, plus connections whose first request has not arrived yet. */
  inFlight: z.number(),
  handled: z.number(),
  eventLoopDelayP99Ms: z.number(),
  /** Connections the worker has taken from the primary's hand-off, since it started. */
  connections: z.number(),
});

export const workerStateSchema = z.enum(['starting', 'ready', 'draining', 'gone']);

/** The whole cluster's stats, as the primary sees it. */
export const clusterStatsSchema = z.object({
  workers: z.array(
    z.object({
      id: z.number(),
      pid: z.number().optional(),
      state: workerStateSchema,
      restarts: z.number(),
      stats: workerStatsSchema.optional(),
      error: z.string().optional(),
    }),
  ),
  totals: z.object({ workers: z.number(), ready: z.number(), inFlight: z.number(), handled: z.number() }),
});

/**
 * A worker's life: `starting` until it listens, `ready` while it gets traffic, `draining` once it
 * was asked to stop (or stopped answering), `gone` after it exited.
 * @public
 */
export type WorkerState = z.output<typeof workerStateSchema>;

/**
 * What one worker says of itself (`hub.worker(id).call('stats')`): ids, uptime, requests in flight
 * and handled, event-loop delay p50 and p99 in milliseconds, memory in bytes.
 */
export type WorkerStats = z.output<typeof workerStatsSchema>;

/** The load report a worker pushes at every `loadReportInterval`. */
export type LoadReport = z.output<typeof loadReportSchema>;

/**
 * The whole cluster's stats: one entry per worker the primary knows (with its own report, or the
 * error that kept it from answering), and the totals over the workers.
 * @public
 */
export type ClusterStats = z.output<typeof clusterStatsSchema>;

export const controlContract = defineContract({
  worker: {
    stats: { output: workerStatsSchema },
    /** Answers the heartbeat with the worker's resident set size, for the memory ceiling. */
    ping: { output: z.object({ rssBytes: z.number() }) },
    shutdown: {
      /** `closeIdle: false`: a reload's drain, which leaves kept-alive connections to end by themselves. */
      input: z.object({ deadlineMs: z.number().positive(), closeIdle: z.boolean().optional() }),
      output: z.object({ drained: z.number(), remaining: z.number(), closed: z.number().optional() }),
    },
    // A snapshot of the worker's metrics; the primary's collector checks it (readSnapshot), so no schema walks it twice.
    metrics: { output: z.unknown() },
  },
  primary: {
    clusterStats: { output: clusterStatsSchema },
  },
  events: {
    workerListening: z.object({}),
    workerFailed: z.object({ name: z.string(), message: z.string(), code: z.string().optional(), stack: z.string().optional() }),
    load: loadReportSchema,
  },
});

/**
 * The HTTP cluster's built-in contract. Workers serve `stats` (their pid, uptime, requests in flight
 * and handled, event-loop delay, memory), `ping`, `shutdown` and `metrics` (a snapshot of their
 * metrics, empty when the `metrics` option is off); the primary serves `clusterStats`;
 * workers emit `workerListening`, `workerFailed` and `load`. These names are reserved.
 * @public
 */
export type ControlContract = typeof controlContract;

/**
 * The user's contract with the built-in control procedures and events beside it.
 * @public
 */
export type MergedContract<C extends Contract> = Contract<
  C['worker'] & ControlContract['worker'],
  C['primary'] & ControlContract['primary'],
  C['events'] & ControlContract['events']
>;

/** The supervisor's view of the hub: the control contract alone, fully typed. */
export type ControlHub = PrimaryHub<ControlContract>;

/** The worker runtime's view of its link: the control contract alone, fully typed. */
export type ControlLink = PrimaryLink<ControlContract>;

/** Narrows a hub of a merged contract to its control half; no cast: the merged hub is one. */
export function controlHub<C extends Contract>(hub: PrimaryHub<MergedContract<C>>): ControlHub {
  return hub;
}

/** Narrows a worker's link of a merged contract to its control half. */
export function controlLink<C extends Contract>(link: PrimaryLink<MergedContract<C>>): ControlLink {
  return link;
}

/**
 * The user's handlers of one side, to spread beside the control ones. A contract whose side has no
 * procedures may come without handlers; the endpoint checks at construction that every procedure
 * has one, so the empty object stands in for them here.
 */
export function userHandlers<P extends ProcedureMap, Ctx>(user: Handlers<P, Ctx> | undefined): Handlers<P, Ctx> {
  return user ?? ({} as Handlers<P, Ctx>);
}

function mergeMap<T extends ProcedureMap | EventMap>(what: string, user: T, control: T): T {
  for (const name of Object.keys(control)) {
    if (Object.hasOwn(user, name)) {
      throw new TypeError(`runHttpCluster: the contract's ${what} "${name}" clashes with a built-in of the HTTP cluster (reserved: ${Object.keys(control).join(', ')})`);
    }
  }
  return { ...user, ...control };
}

/** Merges the user's contract with the control contract, refusing reserved names. */
export function mergeContracts<C extends Contract>(user: C | undefined): MergedContract<C> {
  const u = user ?? defineContract({});
  return defineContract({
    worker: mergeMap('worker procedure', u.worker, controlContract.worker as ProcedureMap),
    primary: mergeMap('primary procedure', u.primary, controlContract.primary as ProcedureMap),
    events: mergeMap('event', u.events, controlContract.events as EventMap),
  }) as unknown as MergedContract<C>;
}
