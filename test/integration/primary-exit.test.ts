// A primary that dies without a word: its workers must not outlive it.
import test from 'ava';
import { BOUND, isAlive, runFixture, waitForPidsGone } from './helpers.js';

test('the workers of a primary killed with SIGKILL exit by themselves', async (t) => {
  const primary = runFixture(t, 'int-primary-orphans.ts');
  const { workers } = await primary.nextJson<{ primary: number; workers: number[] }>(BOUND.boot, 'the worker pids');
  t.teardown(() => {
    for (const pid of workers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  t.is(workers.length, 2);
  t.true(workers.every(isAlive));
  primary.child.kill('SIGKILL');
  t.like(await primary.exited(BOUND.reply), { code: null, signal: 'SIGKILL' });
  // They are not our children, so no exit event reaches us: poll, bounded.
  await waitForPidsGone(workers, BOUND.reply, 'the orphaned workers to exit');
  t.pass();
});
