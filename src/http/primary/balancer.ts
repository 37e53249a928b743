// Which worker gets the next connection. Pure: no I/O, no clock of its own, and no knowledge of
// the members it ranks (candidateOf in member.ts makes a Candidate of one).

/** What the balancer knows of one worker. */
export interface Candidate {
  readonly id: number;
  /** In-flight requests at the worker's last load report. */
  readonly inFlight: number;
  /** Connections handed to the worker since that report (they may not show in it yet). */
  readonly handedSinceReport: number;
  /** When the last report arrived, in the same clock as `now`. */
  readonly reportedAt: number;
  /** Connections offered to the worker that it has not answered yet. */
  readonly unanswered?: number;
  /** When the oldest of those was offered, in the same clock as `now`. */
  readonly unansweredSince?: number | undefined;
  /** The worker refused an offer (it drains or exits): it gets no other. */
  readonly refusing?: boolean;
  /**
   * How long an offer may stay unanswered before the worker counts as busy, in milliseconds; at
   * least UNANSWERED_BUSY_MS (see `answerBudget`).
   */
  readonly busyAfter?: number;
  /** The p99 event-loop delay of the worker's last report, in milliseconds. */
  readonly loopDelayMs?: number;
}

/**
 * A worker whose reported event-loop delay p99 reaches this many milliseconds stalls: its loop
 * blocks for long stretches (a CPU-bound burst every so often), and it takes new connections only
 * when every worker stalls, even while it looks idle between two stalls. High enough that the
 * scheduling noise of a loaded machine (tens of milliseconds) does not trip it.
 */
export const LOOP_STALL_MS = 200;

/**
 * How long a worker may leave an offer unanswered before it counts as busy, in milliseconds. An
 * idle worker answers within a turn of its event loop (well under a millisecond on loopback); one
 * whose loop is blocked cannot answer at all, and every connection dealt to it waits as long.
 */
export const UNANSWERED_BUSY_MS = 5;

/**
 * How long an answer may take before its worker counts as busy, from the typical answer time of
 * the whole cluster: four times it, and never less than UNANSWERED_BUSY_MS. On a quiet machine an
 * answer takes well under a millisecond and the budget is UNANSWERED_BUSY_MS; on one whose cores
 * are oversubscribed every answer waits for the scheduler, and a fixed few milliseconds would call
 * every worker blocked in turn and pile the connections on whichever answered last.
 */
export function answerBudget(typicalAnswerMs: number): number {
  return Math.max(UNANSWERED_BUSY_MS, 4 * typicalAnswerMs);
}

/**
 * The cluster's typical answer time, an exponentially weighted mean, after one more answer that
 * took `answerMs`. A sample is capped at twice the current budget, so that the few answers of a
 * blocked worker (hundreds of milliseconds) barely move it, while a machine that became slower
 * raises it within a few dozen answers.
 */
export function nextTypicalAnswer(typicalAnswerMs: number, answerMs: number): number {
  const sample = Math.min(answerMs, 2 * answerBudget(typicalAnswerMs));
  return typicalAnswerMs + 0.05 * (sample - typicalAnswerMs);
}

/** Whether the worker cannot be trusted to serve now: its report is stale, or it sits on an offer. */
export function isBusy(c: Candidate, now: number, staleAfter: number): boolean {
  return silence(c, now, staleAfter) > 0;
}

/**
 * How long, in milliseconds, the worker has been silent beyond what is allowed: past `staleAfter`
 * since its report, or past its answer budget (`busyAfter`) on its oldest offer. 0 for a worker in good standing.
 */
function silence(c: Candidate, now: number, staleAfter: number): number {
  const report = now - c.reportedAt - staleAfter;
  const offer = c.unansweredSince === undefined ? 0 : now - c.unansweredSince - Math.max(UNANSWERED_BUSY_MS, c.busyAfter ?? 0);
  return Math.max(0, report, offer);
}

/**
 * Load that an unanswered offer adds before it makes its worker busy: one per quarter of the answer
 * budget (the cluster's typical answer time) that its oldest offer has waited. A worker that goes
 * quiet weighs more and more, instead of looking idle until the budget is spent.
 */
function waiting(c: Candidate, now: number): number {
  if (c.unansweredSince === undefined) return 0;
  return Math.floor((now - c.unansweredSince) / (Math.max(UNANSWERED_BUSY_MS, c.busyAfter ?? 0) / 4));
}

/**
 * Picks the least-loaded worker: fewest in-flight requests plus connections handed over since its
 * last report (so a burst between two reports spreads instead of landing on one worker), plus the
 * weight of its oldest unanswered offer (see `waiting`). A busy
 * worker (see `isBusy`) is only picked when all are busy, and then the one silent for the shortest
 * time. Then a worker whose event loop stalls (LOOP_STALL_MS) comes after one that does not,
 * whatever their loads. Among equal loads, the worker with fewer
 * unanswered offers wins (one that has not answered the last one may be blocking), then
 * round-robin, starting after `lastPicked`. A worker that refused an offer is never picked.
 * Returns undefined when there is no candidate.
 */
export function pickLeastLoaded(candidates: readonly Candidate[], now: number, staleAfter: number, lastPicked: number | undefined): Candidate | undefined {
  let best: Candidate | undefined;
  let bestKey: readonly number[] = [];
  for (const c of candidates) {
    if (c.refusing === true) continue;
    // Among equal scores, prefer the first id after the last pick (wrapping), i.e. round-robin.
    const turn = lastPicked === undefined ? c.id : c.id > lastPicked ? c.id - lastPicked : c.id - lastPicked + 1e9;
    // A busy worker ranks by how long it has been silent (a loaded machine can make every worker
    // late by a few milliseconds; one blocked for hundreds is the last choice), others by load.
    const silent = silence(c, now, staleAfter);
    const stalls = (c.loopDelayMs ?? 0) >= LOOP_STALL_MS ? 1 : 0;
    const key = [silent, stalls, c.inFlight + c.handedSinceReport + waiting(c, now), c.unanswered ?? 0, turn];
    if (best === undefined || less(key, bestKey)) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
