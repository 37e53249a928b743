// The mailbox on its own: order, bounded concurrency, a bounded queue, no recursion.
import test from 'ava';
import { Mailbox } from '../../src/endpoint/mailbox.js';

interface Job {
  readonly n: number;
  cancelled: boolean;
}
const job = (n: number): Job => ({ n, cancelled: false });

test('a mailbox runs jobs in arrival order, one at a time with concurrency 1', (t) => {
  const ran: number[] = [];
  const box = new Mailbox<Job>(1, 100, (j) => ran.push(j.n));
  for (let i = 0; i < 5; i++) t.true(box.offer(job(i)));
  t.deepEqual(ran, [0], 'the first runs at once, the others wait');
  t.is(box.waiting, 4);
  for (let i = 1; i < 5; i++) {
    box.release();
    t.deepEqual(ran, Array.from({ length: i + 1 }, (_, k) => k));
  }
  box.release();
  t.is(box.waiting, 0);
});

test('a mailbox never runs more jobs at once than its concurrency', (t) => {
  let running = 0;
  let most = 0;
  const box = new Mailbox<Job>(3, 100, () => {
    most = Math.max(most, ++running);
  });
  for (let i = 0; i < 10; i++) box.offer(job(i));
  t.is(running, 3);
  t.is(box.waiting, 7);
  for (let i = 0; i < 10; i++) {
    running--;
    box.release();
  }
  t.is(most, 3);
  t.is(box.waiting, 0);
});

test('a mailbox refuses a job when maxQueue jobs already wait', (t) => {
  const box = new Mailbox<Job>(1, 2, () => {});
  t.true(box.offer(job(0)));
  t.true(box.offer(job(1)));
  t.true(box.offer(job(2)));
  t.false(box.offer(job(3)));
  t.is(box.waiting, 2);
  box.release();
  t.true(box.offer(job(4)), 'room again once one started');
});

test('a mailbox with maxQueue 0 runs up to its concurrency and refuses the rest', (t) => {
  const box = new Mailbox<Job>(2, 0, () => {});
  t.true(box.offer(job(0)));
  t.true(box.offer(job(1)));
  t.false(box.offer(job(2)));
});

test('a mailbox skips a job cancelled while it waited', (t) => {
  const ran: number[] = [];
  const box = new Mailbox<Job>(1, 10, (j) => ran.push(j.n));
  box.offer(job(0));
  const skipped = job(1);
  box.offer(skipped);
  box.offer(job(2));
  skipped.cancelled = true;
  box.release();
  t.deepEqual(ran, [0, 2]);
});

test('a cancelled waiting job does not count against maxQueue', (t) => {
  const box = new Mailbox<Job>(1, 1, () => {});
  box.offer(job(0));
  const cancelled = job(1);
  t.true(box.offer(cancelled));
  cancelled.cancelled = true;
  t.true(box.offer(job(2)), 'the queue holds only a cancelled job');
});

test('clear() returns the waiting jobs and empties the queue', (t) => {
  const box = new Mailbox<Job>(1, 10, () => {});
  box.offer(job(0));
  box.offer(job(1));
  box.offer(job(2));
  t.deepEqual(
    box.clear().map((j) => j.n),
    [1, 2],
  );
  t.is(box.waiting, 0);
});

test('100,000 queued jobs that finish synchronously run without overflowing the stack', (t) => {
  let count = 0;
  let last = -1;
  let inOrder = true;
  let block = true;
  const box: Mailbox<Job> = new Mailbox<Job>(1, 200_000, (j) => {
    if (j.n !== last + 1) inOrder = false;
    last = j.n;
    count++;
    if (!block) box.release(); // synchronous: release from inside run
  });
  box.offer(job(0)); // runs and holds the mailbox
  for (let i = 1; i <= 100_000; i++) box.offer(job(i));
  t.is(box.waiting, 100_000);
  block = false;
  t.notThrows(() => box.release());
  t.is(count, 100_001);
  t.true(inOrder);
  t.is(box.waiting, 0);
});

test('a job offered from inside a running job waits its turn', (t) => {
  const ran: number[] = [];
  const box: Mailbox<Job> = new Mailbox<Job>(1, 10, (j) => {
    ran.push(j.n);
    if (j.n === 0) box.offer(job(1));
  });
  box.offer(job(0));
  t.deepEqual(ran, [0]);
  box.release();
  t.deepEqual(ran, [0, 1]);
});
