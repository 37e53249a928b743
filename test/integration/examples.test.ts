// Runs every example as a user would (the built package, a real cluster), so they cannot rot.
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { run as runCommand, type Ran } from '../package/helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs an example as a user would, bounded in time. */
function runExample(file: string, limitMs: number): Promise<Ran> {
  return runCommand(process.execPath, ['--import=tsx', file], { cwd: root, limitMs });
}

test('the chat example greets every worker, hears back from each, and exits 0', async (t) => {
  const run = await runExample('examples/chat/main.ts', 90_000);
  t.is(run.code, 0, run.stderr);
  t.is(run.stderr, '');
  for (const id of [1, 2]) {
    t.regex(run.stdout, new RegExp(`\\[primary\\] worker ${id} says: got "hello, worker ${id}" from primary`));
    t.regex(run.stdout, new RegExp(`\\[primary\\] worker ${id} \\(pid \\d+\\) replied: hi primary, worker ${id} here`));
    t.regex(run.stdout, new RegExp(`\\[primary\\] worker ${id} heard: the chat is closing \\(sent at \\d{4}-`));
  }
  t.regex(run.stdout, /all workers disconnected, bye/);
});

test('the stats example prints one row per worker twice and the cluster total, and exits 0', async (t) => {
  const run = await runExample('examples/stats/main.ts', 90_000);
  t.is(run.code, 0, run.stderr);
  t.is(run.stderr, '');
  t.regex(run.stdout, /one call per worker:/);
  t.regex(run.stdout, /one broadcast:/);
  // 5 + 10 + 15 work calls were made; stats calls count nothing.
  t.regex(run.stdout, /calls handled across the cluster: 30/);
  t.is(run.stdout.match(/'ok'/g)?.length, 3);
});
