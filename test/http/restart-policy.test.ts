// RestartBudget: backoff per slot, reset after a long uptime, crash-loop limit over a sliding window.
import test from 'ava';
import { RESTART_DEFAULTS, type RestartOptions } from '../../src/http/restart-options.js';
import { RestartBudget, type RestartDecision } from '../../src/http/primary/restart-policy.js';

const options = (o: RestartOptions = {}): Required<RestartOptions> => ({ ...RESTART_DEFAULTS, jitter: 0, maxRestarts: 100, ...o });
const delay = (d: RestartDecision): number => {
  if (!d.restart) throw new Error(`expected a restart, got give-up after ${d.crashes} crashes`);
  return d.delay;
};

test('the delay grows exponentially per consecutive crash and is capped at maxDelay', (t) => {
  const budget = new RestartBudget(options({ initialDelay: 100, factor: 2, maxDelay: 1_000 }));
  const delays = Array.from({ length: 7 }, (_, i) => delay(budget.crashed(0, i * 10, 5)));
  t.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000]);
});

test('jitter spreads each delay by up to the given fraction either way, from the injected random', (t) => {
  const o = options({ initialDelay: 1_000, jitter: 0.2 });
  t.is(delay(new RestartBudget(o, () => 0).crashed(0, 0, 5)), 800);
  t.is(delay(new RestartBudget(o, () => 0.5).crashed(0, 0, 5)), 1_000);
  t.is(delay(new RestartBudget(o, () => 0.999_999).crashed(0, 0, 5)), 1_200);
});

test('a worker that stayed up for resetAfter resets the backoff', (t) => {
  const budget = new RestartBudget(options({ initialDelay: 100, factor: 2, resetAfter: 30_000 }));
  t.is(delay(budget.crashed(0, 0, 10)), 100);
  t.is(delay(budget.crashed(0, 100, 10)), 200);
  t.is(delay(budget.crashed(0, 300, 10)), 400);
  t.is(delay(budget.crashed(0, 40_000, 30_000)), 100, 'uptime of resetAfter resets');
  t.is(delay(budget.crashed(0, 40_200, 10)), 200, 'and the backoff grows again from there');
});

test('more than maxRestarts crashes within the window gives up, naming the count', (t) => {
  const budget = new RestartBudget(options({ maxRestarts: 3, window: 1_000 }));
  for (let i = 0; i < 3; i++) t.true(budget.crashed(0, i * 100, 5).restart);
  t.deepEqual(budget.crashed(0, 300, 5), { restart: false, crashes: 4, scope: 'slot' });
  t.true(budget.gaveUp(0));
  t.false(budget.gaveUp(1));
});

test('crashes older than the window do not count towards the limit', (t) => {
  const budget = new RestartBudget(options({ maxRestarts: 3, window: 1_000 }));
  for (let i = 0; i < 3; i++) t.true(budget.crashed(0, i * 100, 5).restart);
  // The crashes at 0 and 100 have left the window by 1_150.
  t.true(budget.crashed(0, 1_150, 5).restart);
  t.true(budget.crashed(0, 1_160, 5).restart);
  t.false(budget.crashed(0, 1_170, 5).restart);
});

test('the crash-loop limit counts each slot apart: one crash in each of three slots stops nothing', (t) => {
  const budget = new RestartBudget(options({ maxRestarts: 2, window: 10_000 }));
  for (const slot of [0, 1, 2]) t.true(budget.crashed(slot, slot, 5).restart);
  t.true(budget.crashed(0, 3, 5).restart, 'slot 0: its second crash');
  t.deepEqual(budget.crashed(0, 4, 5), { restart: false, crashes: 3, scope: 'slot' });
  t.true(budget.crashed(1, 5, 5).restart, 'slot 1 keeps its own budget');
  t.deepEqual([0, 1, 2].map((slot) => budget.gaveUp(slot)), [true, false, false]);
});

test('maxClusterRestarts is a ceiling over every slot together, and stops all restarts once reached', (t) => {
  const budget = new RestartBudget(options({ maxRestarts: 5, maxClusterRestarts: 2, window: 10_000 }));
  t.true(budget.crashed(0, 0, 5).restart);
  t.true(budget.crashed(1, 1, 5).restart);
  t.deepEqual(budget.crashed(2, 2, 5), { restart: false, crashes: 3, scope: 'cluster' });
  t.false(budget.crashed(0, 60_000, 5).restart, 'the ceiling, once reached, stays');
  t.deepEqual([0, 1, 2, 3].map((slot) => budget.gaveUp(slot)), [true, true, true, true]);
});

test('the backoff grows per slot: one flapping slot does not slow down another', (t) => {
  const budget = new RestartBudget(options({ initialDelay: 100, factor: 3 }));
  t.is(delay(budget.crashed(0, 0, 5)), 100);
  t.is(delay(budget.crashed(0, 1, 5)), 300);
  t.is(delay(budget.crashed(0, 2, 5)), 900);
  t.is(delay(budget.crashed(1, 3, 5)), 100, 'slot 1 starts from initialDelay');
  t.is(delay(budget.crashed(0, 4, 5)), 2_700);
  t.is(delay(budget.crashed(1, 5, 5)), 300);
});

test('the defaults are documented values', (t) => {
  t.deepEqual(RESTART_DEFAULTS, { initialDelay: 100, maxDelay: 10_000, factor: 2, jitter: 0.2, resetAfter: 30_000, maxRestarts: 5, maxClusterRestarts: Infinity, window: 60_000 });
  t.true(Object.isFrozen(RESTART_DEFAULTS));
});
