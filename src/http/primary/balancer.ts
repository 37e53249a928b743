// Which worker gets the next connection. Pure: no I/O, no clock of its own.

/** What the balancer knows of one worker. */
export interface Candidate {
  readonly id: number;
  /** In-flight requests at the worker's last load report. */
  readonly inFlight: number;
  /** Connections handed to the worker since that report (they may not show in it yet). */
  readonly handedSinceReport: number;
  /** When the last report arrived, in the same clock as `now`. */
  readonly reportedAt: number;
}

/**
 * Picks the least-loaded worker: fewest in-flight requests plus connections handed over since its
 * last report, so a burst between two reports spreads instead of landing on one worker. A worker
 * whose report is older than `staleAfter` counts as busy (it is only picked when all are stale).
 * Ties go round-robin, starting after `lastPicked`. Returns undefined when there is no candidate.
 */
export function pickLeastLoaded(candidates: readonly Candidate[], now: number, staleAfter: number, lastPicked: number | undefined): Candidate | undefined {
  let best: Candidate | undefined;
  let bestScore = Infinity;
  let bestTie = Infinity;
  for (const c of candidates) {
    const stale = now - c.reportedAt > staleAfter;
    const score = (stale ? 1e9 : 0) + c.inFlight + c.handedSinceReport;
    // Among equal scores, prefer the first id after the last pick (wrapping), i.e. round-robin.
    const tie = lastPicked === undefined ? c.id : c.id > lastPicked ? c.id - lastPicked : c.id - lastPicked + 1e9;
    if (score < bestScore || (score === bestScore && tie < bestTie)) {
      best = c;
      bestScore = score;
      bestTie = tie;
    }
  }
  return best;
}
