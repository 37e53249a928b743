// The `logger` option routes the library's own messages away from the console and process warnings.
import test from 'ava';
import { runFixture } from './helpers.js';

interface LogLine {
  readonly type: string;
  readonly level?: string;
  readonly message?: string;
}

test("an HTTP cluster's supervisor writes through the given logger, and nothing to stderr or process warnings", async (t) => {
  const child = runFixture(t, 'int-http-logger.ts');
  const lines: LogLine[] = [];
  for (;;) {
    const line = await child.nextJson<LogLine>(40_000, 'a line').catch(() => undefined);
    if (line === undefined) break;
    lines.push(line);
  }
  const exit = await child.exited(10_000);
  t.deepEqual(exit, { code: 1, signal: null }, `stderr: ${child.stderr()}`);
  const logs = lines.filter((l) => l.type === 'log');
  t.true(
    logs.some((l) => l.level === 'error' && /2 crashes of slot 0 within 60000 ms .*not restarting slot 0.*exited with code 3/.test(l.message ?? '')),
    JSON.stringify(logs),
  );
  t.true(logs.some((l) => l.level === 'warn' && l.message === "a 'restartsExhausted' listener threw: boom from a listener"), JSON.stringify(logs));
  t.notRegex(child.stderr(), /crashes of slot|ClusterRpcWarning|listener threw/);
});
