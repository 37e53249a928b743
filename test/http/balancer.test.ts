// pickLeastLoaded: the pure choice of the worker that gets the next connection.
import test from 'ava';
import { pickLeastLoaded, type Candidate } from '../../src/http/primary/balancer.js';

const NOW = 10_000;
const STALE = 750;
const fresh = (id: number, inFlight: number, handedSinceReport = 0): Candidate => ({ id, inFlight, handedSinceReport, reportedAt: NOW - 10 });

test('the worker with the fewest requests in flight wins', (t) => {
  const picked = pickLeastLoaded([fresh(1, 5), fresh(2, 1), fresh(3, 3)], NOW, STALE, undefined);
  t.is(picked?.id, 2);
});

test('connections handed over since the last report count as load', (t) => {
  // Worker 2 reported fewer in flight, but was handed three connections since.
  const picked = pickLeastLoaded([fresh(1, 2, 0), fresh(2, 0, 3)], NOW, STALE, undefined);
  t.is(picked?.id, 1);
});

test('a burst between two reports is spread over the workers', (t) => {
  const handed = new Map<number, number>([
    [1, 0],
    [2, 0],
    [3, 0],
  ]);
  let last: number | undefined;
  for (let i = 0; i < 30; i++) {
    const picked = pickLeastLoaded(
      [...handed].map(([id, n]) => fresh(id, 0, n)),
      NOW,
      STALE,
      last,
    )!;
    handed.set(picked.id, handed.get(picked.id)! + 1);
    last = picked.id;
  }
  t.deepEqual([...handed.values()], [10, 10, 10]);
});

test('a worker whose report is stale counts as busy', (t) => {
  const stale: Candidate = { id: 1, inFlight: 0, handedSinceReport: 0, reportedAt: NOW - STALE - 1 };
  t.is(pickLeastLoaded([stale, fresh(2, 40)], NOW, STALE, undefined)?.id, 2);
});

test('a report exactly staleAfter old is still fresh', (t) => {
  const edge: Candidate = { id: 1, inFlight: 0, handedSinceReport: 0, reportedAt: NOW - STALE };
  t.is(pickLeastLoaded([edge, fresh(2, 1)], NOW, STALE, undefined)?.id, 1);
});

test('when every report is stale, the least loaded of them is still picked', (t) => {
  const a: Candidate = { id: 1, inFlight: 4, handedSinceReport: 0, reportedAt: 0 };
  const b: Candidate = { id: 2, inFlight: 1, handedSinceReport: 0, reportedAt: 0 };
  t.is(pickLeastLoaded([a, b], NOW, STALE, undefined)?.id, 2);
});

test('ties go round-robin, starting after the last pick and wrapping', (t) => {
  const all = [fresh(1, 0), fresh(2, 0), fresh(3, 0)];
  t.is(pickLeastLoaded(all, NOW, STALE, undefined)?.id, 1);
  t.is(pickLeastLoaded(all, NOW, STALE, 1)?.id, 2);
  t.is(pickLeastLoaded(all, NOW, STALE, 2)?.id, 3);
  t.is(pickLeastLoaded(all, NOW, STALE, 3)?.id, 1);
  // Ids need not be contiguous, and the last pick may have left (a restarted worker gets a new id).
  const gaps = [fresh(4, 0), fresh(9, 0), fresh(12, 0)];
  t.is(pickLeastLoaded(gaps, NOW, STALE, 7)?.id, 9);
  t.is(pickLeastLoaded(gaps, NOW, STALE, 12)?.id, 4);
});

test('ties only count among the least loaded', (t) => {
  const picked = pickLeastLoaded([fresh(1, 0), fresh(2, 1), fresh(3, 0)], NOW, STALE, 1);
  t.is(picked?.id, 3);
});

test('no candidate picks nothing', (t) => {
  t.is(pickLeastLoaded([], NOW, STALE, undefined), undefined);
  t.is(pickLeastLoaded([], NOW, STALE, 3), undefined);
});
