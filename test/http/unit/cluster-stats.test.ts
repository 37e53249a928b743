// The cluster's stats: one entry per worker, totals summed over what answered.
import test from 'ava';
import { clusterTotals, workerEntry } from '../../../src/http/primary/cluster-stats.js';
import { unacknowledged } from '../../../src/http/handoff.js';

const stats = (inFlight: number, handled: number) => ({
  workerId: 1,
  pid: 10,
  uptimeMs: 5,
  inFlight,
  handled,
  eventLoopDelayP50Ms: 0,
  eventLoopDelayP99Ms: 0,
  rssBytes: 1,
  heapUsedBytes: 1,
});

test('an entry carries the id, pid, state and restarts the primary knows, beside the answer', (t) => {
  const entry = workerEntry({ state: 'ready', restarts: 2, handle: { id: 3, pid: 99 } }, { error: 'timed out' });
  t.deepEqual(entry, { id: 3, pid: 99, state: 'ready', restarts: 2, error: 'timed out' });
  t.false('pid' in workerEntry({ state: 'starting', restarts: 0, handle: { id: 4, pid: undefined } }, { error: 'gone' }));
});

test('totals count every worker, the ready ones, and sum only the stats that arrived', (t) => {
  const workers = [
    workerEntry({ state: 'ready', restarts: 0, handle: { id: 1, pid: 10 } }, { stats: stats(2, 30) }),
    workerEntry({ state: 'draining', restarts: 0, handle: { id: 2, pid: 11 } }, { stats: stats(1, 5) }),
    workerEntry({ state: 'ready', restarts: 0, handle: { id: 3, pid: 12 } }, { error: 'call to "stats" timed out' }),
  ];
  t.deepEqual(clusterTotals(workers), { workers: 3, ready: 2, inFlight: 3, handled: 35 });
  t.deepEqual(clusterTotals([]), { workers: 0, ready: 0, inFlight: 0, handled: 0 });
});

test('hand-offs the worker has not reported taking count against it', (t) => {
  t.is(unacknowledged(5, undefined), 5);
  t.is(unacknowledged(5, 3), 2);
  t.is(unacknowledged(5, 5), 0);
});
