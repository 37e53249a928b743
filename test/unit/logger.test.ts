// The `logger` option: problems nobody listens for go to it instead of process warnings; bad
// loggers are refused by name; the default still makes a coded process warning.
import test from 'ava';
import { z } from 'zod';
import { connectPrimary, createPrimary, defineContract, type Logger } from '../../src/index.js';
import { runHttpCluster } from '../../src/http/index.js';
import { connectMemoryPair } from '../../src/testing.js';
import { within } from '../fixtures/unit-helpers.js';

const contract = defineContract({ events: { ping: z.object({ n: z.number() }) } });

function recorder(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`info ${m}`), warn: (m) => void lines.push(`warn ${m}`), error: (m) => void lines.push(`error ${m}`) };
}

/** Collects this process's warnings for the test; resolves `next` at the next one. */
function watchWarnings(t: import('ava').ExecutionContext): Error[] {
  const warnings: Error[] = [];
  const on = (w: Error): void => void warnings.push(w);
  process.on('warning', on);
  t.teardown(() => void process.off('warning', on));
  return warnings;
}

/** Lets pending process warnings (emitted on nextTick) and memory frames (setImmediate) through. */
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

test.serial('a problem with no error listener goes to the logger as a warning, not to process warnings', async (t) => {
  const warnings = watchWarnings(t);
  const log = recorder();
  const { primary, worker } = connectMemoryPair(contract, { primary: { logger: log } });
  t.teardown(() => Promise.all([primary.close(), worker.close()]).then(() => undefined));
  const heard = new Promise<void>((resolve) =>
    primary.on('ping', () => {
      resolve();
      throw new Error('listener failed');
    }),
  );
  worker.emit('ping', { n: 1 });
  await within(heard, 5_000, 'the event');
  await turn();
  t.deepEqual(log.lines, ["warn listener failed (add an 'error' listener to handle these; further ones are counted in stats().unheardErrors)"]);
  t.deepEqual(warnings.filter((w) => w.name === 'ClusterRpcWarning'), []);
  t.is(primary.stats().unheardErrors, 1);
});

test.serial('without a logger the same problem is a ClusterRpcWarning process warning', async (t) => {
  const warnings = watchWarnings(t);
  const { primary, worker } = connectMemoryPair(contract);
  t.teardown(() => Promise.all([primary.close(), worker.close()]).then(() => undefined));
  primary.on('ping', () => {
    throw Object.assign(new Error('coded failure'), { code: 'E_MINE' });
  });
  worker.emit('ping', { n: 1 });
  await within(
    (async () => {
      while (!warnings.some((w) => w.name === 'ClusterRpcWarning')) await turn();
    })(),
    5_000,
    'the process warning',
  );
  const warning = warnings.find((w) => w.name === 'ClusterRpcWarning') as Error & { code?: string };
  t.regex(warning.message, /^coded failure \(add an 'error' listener/);
  t.is(warning.code, 'E_MINE');
});

test('console is accepted as a logger', (t) => {
  const { primary, worker } = connectMemoryPair(contract, { primary: { logger: console }, worker: { logger: console } });
  t.true(primary.isConnected);
  void primary.close();
  void worker.close();
});

test('a logger without one of its functions is refused, naming the function, by every entry that takes one', async (t) => {
  const partial = { info() {}, warn() {} } as unknown as Logger;
  t.throws(() => createPrimary(contract, { logger: partial }), { instanceOf: TypeError, message: 'createPrimary: logger.error must be a function, got none' });
  // Checked before the worker's link touches the IPC channel (this test runner's own).
  t.throws(() => connectPrimary(contract, { logger: partial }), { instanceOf: TypeError, message: 'connectPrimary: logger.error must be a function, got none' });
  t.throws(() => connectMemoryPair(contract, { primary: { logger: 'loud' as unknown as Logger } }), {
    instanceOf: TypeError,
    message: /connectMemoryPair: logger must be an object with info, warn and error functions, got the string "loud"/,
  });
  await t.throwsAsync(runHttpCluster({ port: 0, worker: () => null as never, logger: { ...partial, warn: 1 } as unknown as Logger }), {
    instanceOf: TypeError,
    message: 'runHttpCluster: logger.warn must be a function, got number 1',
  });
});
