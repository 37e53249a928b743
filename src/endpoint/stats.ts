// An endpoint's counters and how they are assembled: every `stats()` of the library (a link, a
// worker handle, a hub's sum) is built here, so a new counter is added in one file.

/**
 * Counters of one endpoint (summed over every worker on the primary's hub).
 * @public
 */
export interface EndpointStats {
  /** Calls this side made. */
  callsSent: number;
  /** Calls the other side made to this one. */
  callsReceived: number;
  /** Calls this side made that await their reply now. */
  inFlight: number;
  /** Incoming calls queued or running now. */
  handling: number;
  /** Calls that timed out. */
  timeouts: number;
  /** Calls whose remote handler threw. */
  remoteErrors: number;
  /** Inputs, outputs and events that failed their schema on this side. */
  validationFailures: number;
  /** Replies that came after their call had settled (timed out or aborted), dropped. */
  lateReplies: number;
  /** Events this side emitted. */
  eventsSent: number;
  /** Events this side received (valid or not). */
  eventsReceived: number;
  /** Malformed or unexpected frames received from the other side, ignored. */
  protocolErrors: number;
  /** Frames waiting for the channel to drain (backpressure). */
  backlog: number;
  /** Problems reported while no 'error' listener was registered (the first one is also a process warning). */
  unheardErrors: number;
}

/** The gauges: read from the live endpoint when stats are taken, never accumulated. */
export interface Gauges {
  readonly inFlight: number;
  readonly handling: number;
  readonly backlog: number;
}

/** Every counter at zero. */
export function zeroStats(): EndpointStats {
  return {
    callsSent: 0,
    callsReceived: 0,
    inFlight: 0,
    handling: 0,
    timeouts: 0,
    remoteErrors: 0,
    validationFailures: 0,
    lateReplies: 0,
    eventsSent: 0,
    eventsReceived: 0,
    protocolErrors: 0,
    backlog: 0,
    unheardErrors: 0,
  };
}

/** One endpoint's stats: its counters, its gauges now, and the problems nobody heard. */
export function snapshotStats(counters: EndpointStats, gauges: Gauges, unheardErrors: number): EndpointStats {
  return { ...counters, inFlight: gauges.inFlight, handling: gauges.handling, backlog: gauges.backlog, unheardErrors };
}

const GAUGE_KEYS: ReadonlySet<string> = new Set(['inFlight', 'handling', 'backlog', 'unheardErrors']);
const KEYS = Object.keys(zeroStats()) as (keyof EndpointStats)[];

/**
 * Adds `from` into `into`. `countersOnly`: only the accumulated counters (for an endpoint that is
 * gone, whose gauges no longer mean anything); otherwise every field.
 */
export function addStats(into: EndpointStats, from: EndpointStats, countersOnly = false): EndpointStats {
  for (const key of KEYS) if (!countersOnly || !GAUGE_KEYS.has(key)) into[key] += from[key];
  return into;
}
