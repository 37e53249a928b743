// The whole cluster's stats: each worker asked for its own, the totals summed in one pure step.
import type { ClusterStats, WorkerStats } from '../control.js';
import type { Member } from './member.js';

type WorkerEntry = ClusterStats['workers'][number];

/** What one worker answered: its stats, or why it could not. */
type Answer = { readonly stats: WorkerStats } | { readonly error: string };

/** One worker's entry: what the primary knows of it and what it answered. */
export function workerEntry(member: Pick<Member, 'state' | 'restarts'> & { handle: { id: number; pid: number | undefined } }, answer: Answer): WorkerEntry {
  return {
    id: member.handle.id,
    ...(member.handle.pid !== undefined ? { pid: member.handle.pid } : {}),
    state: member.state,
    restarts: member.restarts,
    ...answer,
  };
}

/** The totals over the entries: how many workers, how many ready, requests in flight and handled. */
export function clusterTotals(workers: readonly WorkerEntry[]): ClusterStats['totals'] {
  const totals = { workers: workers.length, ready: 0, inFlight: 0, handled: 0 };
  for (const w of workers) {
    if (w.state === 'ready') totals.ready++;
    if (w.stats !== undefined) {
      totals.inFlight += w.stats.inFlight;
      totals.handled += w.stats.handled;
    }
  }
  return totals;
}

/** Asks every member for its stats (each bounded by `timeout`) and sums them. Never rejects. */
export async function collectClusterStats(members: readonly Member[], timeout: number): Promise<ClusterStats> {
  const answers = await Promise.all(
    members.map((m): Promise<Answer> =>
      m.state === 'gone'
        ? Promise.resolve({ error: 'gone' })
        : m.handle.call('stats', undefined, { timeout }).then(
            (stats) => ({ stats }),
            (error: Error) => ({ error: error.message }),
          ),
    ),
  );
  const workers = members.map((m, i) => workerEntry(m, answers[i]!));
  return { workers, totals: clusterTotals(workers) };
}
