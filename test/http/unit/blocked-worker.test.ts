// The balancer's view of a blocked worker, with an injected clock: an offer left unanswered more
// than UNANSWERED_BUSY_MS marks its worker busy at once, whatever its last report said.
import test from 'ava';
import { answerBudget, isBusy, LOOP_STALL_MS, nextTypicalAnswer, pickLeastLoaded, UNANSWERED_BUSY_MS, type Candidate } from '../../../src/http/primary/balancer.js';

const NOW = 10_000;
const STALE = 750;
/** A worker whose last report (10 ms ago, fresh) said `inFlight`. */
const worker = (id: number, inFlight: number, more: Partial<Candidate> = {}): Candidate => ({ id, inFlight, handedSinceReport: 0, reportedAt: NOW - 10, ...more });

test('an offer unanswered longer than a few milliseconds marks the worker busy, though its report is fresh', (t) => {
  const blocked = worker(1, 0, { unanswered: 1, unansweredSince: NOW - UNANSWERED_BUSY_MS - 1 });
  t.true(isBusy(blocked, NOW, STALE));
  // It reported nothing in flight, the other one 30 requests: still the other one.
  t.is(pickLeastLoaded([blocked, worker(2, 30)], NOW, STALE, undefined)?.id, 2);
});

test('an offer just made does not mark its worker busy', (t) => {
  t.false(isBusy(worker(1, 0, { unanswered: 1, unansweredSince: NOW - UNANSWERED_BUSY_MS }), NOW, STALE));
  const fresh = worker(1, 0, { handedSinceReport: 1, unanswered: 1, unansweredSince: NOW - 1 });
  t.is(pickLeastLoaded([fresh, worker(2, 3)], NOW, STALE, undefined)?.id, 1);
});

test('an unanswered offer weighs more the longer it waits, before it makes its worker busy', (t) => {
  // Budget 40 ms (typical answers of 10 ms): the quiet worker is not busy yet, but 30 ms of
  // silence weigh as three requests in flight.
  const quiet = worker(1, 0, { handedSinceReport: 1, unanswered: 1, unansweredSince: NOW - 30, busyAfter: 40 });
  t.false(isBusy(quiet, NOW, STALE));
  t.is(pickLeastLoaded([quiet, worker(2, 3)], NOW, STALE, undefined)?.id, 2);
  t.is(pickLeastLoaded([quiet, worker(2, 5)], NOW, STALE, undefined)?.id, 1);
});

test('offers still queued in the primary (not written yet) do not age', (t) => {
  // unansweredSince is undefined until an offer is written to the worker's channel.
  const queued = worker(1, 0, { unanswered: 3, unansweredSince: undefined });
  t.false(isBusy(queued, NOW, STALE));
});

test('the busy mark lifts as soon as the worker has answered', (t) => {
  const before = worker(1, 0, { unanswered: 1, unansweredSince: NOW - 300 });
  const after = worker(1, 0, { unanswered: 0, unansweredSince: undefined });
  t.is(pickLeastLoaded([before, worker(2, 2)], NOW, STALE, undefined)?.id, 2);
  t.is(pickLeastLoaded([after, worker(2, 2)], NOW, STALE, undefined)?.id, 1);
});

test('at equal load, the worker with fewer unanswered offers wins over round-robin', (t) => {
  const waiting = worker(1, 0, { handedSinceReport: 1, unanswered: 1, unansweredSince: NOW - 1 });
  const answered = worker(2, 1, { unanswered: 0 });
  // Round-robin after 2 would pick 1; its unanswered offer says it may be blocking.
  t.is(pickLeastLoaded([waiting, answered], NOW, STALE, 2)?.id, 2);
});

test('when every worker is busy, the one silent for the shortest time is picked, whatever its load', (t) => {
  // A loaded machine makes a worker late by a few milliseconds; a blocked one is late by hundreds.
  const late = worker(1, 20, { unanswered: 4, unansweredSince: NOW - 12 });
  const blocked = worker(2, 0, { unanswered: 1, unansweredSince: NOW - 300 });
  t.is(pickLeastLoaded([late, blocked], NOW, STALE, undefined)?.id, 1);
});

test('a worker that refused an offer is never picked, even alone', (t) => {
  const refusing = worker(1, 0, { refusing: true });
  t.is(pickLeastLoaded([refusing, worker(2, 50)], NOW, STALE, undefined)?.id, 2);
  t.is(pickLeastLoaded([refusing], NOW, STALE, undefined), undefined);
});

test('a blocked worker gets at most the offers made before the first one aged: a simulated 400 ms block', (t) => {
  // Two workers; a new connection every 2 ms; worker 1 answers nothing between t=100 and t=500,
  // worker 2 answers each offer 0.5 ms after it is made. Count what worker 1 is offered while blocked.
  const open = new Map<number, number[]>([
    [1, []],
    [2, []],
  ]);
  let last: number | undefined;
  let offeredWhileBlocked = 0;
  for (let now = 0; now < 1_000; now += 2) {
    const blocked = now >= 100 && now < 500;
    for (const [id, at] of open) open.set(id, at.filter((t0) => (id === 1 && blocked) || now - t0 < 0.5));
    if (!blocked) open.set(1, []); // the block is over: it answers everything it was offered
    const candidates = [...open].map(([id, at]) => worker(id, 0, { reportedAt: now - 10, handedSinceReport: at.length, unanswered: at.length, unansweredSince: at[0] }));
    const picked = pickLeastLoaded(candidates, now, STALE, last)!;
    last = picked.id;
    open.get(picked.id)!.push(now);
    if (picked.id === 1 && blocked) offeredWhileBlocked++;
  }
  // The first offer in the block, and those made before it was UNANSWERED_BUSY_MS old at most.
  t.true(offeredWhileBlocked >= 1);
  t.true(offeredWhileBlocked <= 1 + Math.ceil(UNANSWERED_BUSY_MS / 2), `offered ${offeredWhileBlocked} while blocked`);
});

test('the answer budget is a few milliseconds on a quiet machine and grows with a slow one', (t) => {
  t.is(answerBudget(0.2), UNANSWERED_BUSY_MS);
  t.is(answerBudget(10), 40);
  // A quiet cluster (0.3 ms answers) stays at the floor despite a blocked worker's rare 400 ms answer.
  let typical = 0;
  for (let i = 0; i < 200; i++) typical = nextTypicalAnswer(typical, i % 100 === 99 ? 400 : 0.3);
  t.is(answerBudget(typical), UNANSWERED_BUSY_MS);
  // An oversubscribed machine: every answer takes 15 ms; within a hundred answers the budget follows.
  for (let i = 0; i < 100; i++) typical = nextTypicalAnswer(typical, 15);
  t.true(answerBudget(typical) > 50, `budget ${answerBudget(typical)}`);
});

test('an offer is judged against its budget: late on a quiet machine, on time on a slow one', (t) => {
  const offer = { unanswered: 1, unansweredSince: NOW - 20 };
  t.true(isBusy(worker(1, 0, { ...offer, busyAfter: answerBudget(0.3) }), NOW, STALE));
  t.false(isBusy(worker(1, 0, { ...offer, busyAfter: answerBudget(15) }), NOW, STALE));
});

test('a worker whose event loop stalls for hundreds of milliseconds comes after one that does not, though it looks idle', (t) => {
  // Between two stalls the stalling worker answers at once and has nothing in flight.
  const stalling = worker(1, 0, { loopDelayMs: 400 });
  const steady = worker(2, 6, { loopDelayMs: 8 });
  t.is(pickLeastLoaded([stalling, steady], NOW, STALE, undefined)?.id, 2);
  // Delays short of a stall (a loaded machine's scheduling noise) are no reason to prefer either: load decides.
  t.is(pickLeastLoaded([worker(1, 0, { loopDelayMs: LOOP_STALL_MS - 1 }), worker(2, 6, { loopDelayMs: 2 })], NOW, STALE, undefined)?.id, 1);
});
