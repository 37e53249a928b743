// Many calls: nothing is left behind.
import test from 'ava';
import { openPair } from '../fixtures/unit-helpers.js';

test('100,000 calls in 100 batches of 1,000 concurrent calls all resolve and leave nothing pending', async (t) => {
  t.timeout(30_000);
  const { primary, worker } = openPair(t);
  const started = performance.now();
  for (let batch = 0; batch < 100; batch++) {
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, i) => primary.call('echo', batch * 1_000 + i)));
    if (results[999] !== batch * 1_000 + 999 || results[0] !== batch * 1_000) t.fail(`batch ${batch} answered out of order`);
  }
  const ms = performance.now() - started;
  const p = primary.stats();
  const w = worker.stats();
  t.is(p.callsSent, 100_000);
  t.is(w.callsReceived, 100_000);
  t.is(p.inFlight, 0);
  t.is(p.lateReplies, 0);
  t.is(p.timeouts, 0);
  t.is(w.handling, 0);
  t.deepEqual(primary.inFlight(), []);
  t.log(`100,000 calls in ${Math.round(ms)} ms`);
});
