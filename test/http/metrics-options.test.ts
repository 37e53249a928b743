// The `metrics` option of runHttpCluster: defaults, checks, and never the application's port.
import test from 'ava';
import { resolveHttpOptions } from '../../src/http/options.js';

const worker = (): never => {
  throw new Error('not called');
};

test('metrics are off unless the option is given', (t) => {
  t.is(resolveHttpOptions({ port: 0, worker }).metrics, undefined);
});

test('an empty metrics option collects without serving, with the defaults', (t) => {
  t.deepEqual(resolveHttpOptions({ port: 8000, worker, metrics: {} }).metrics, { port: undefined, host: '127.0.0.1', path: '/metrics', timeout: 1_000, promClient: false });
  t.like(resolveHttpOptions({ port: 8000, worker, metrics: { port: 9464, host: '0.0.0.0', path: '/m', timeout: 250, promClient: true } }).metrics, { port: 9464, host: '0.0.0.0', path: '/m', timeout: 250, promClient: true });
});

test("the metrics port may not be the application's", (t) => {
  const error = t.throws(() => resolveHttpOptions({ port: 8000, worker, metrics: { port: 8000 } }), { instanceOf: TypeError });
  t.is(error!.message, "runHttpCluster: metrics.port must differ from the application's port (8000): metrics are never served on the application's port");
  // Both 0: each gets a free port of its own.
  t.is(resolveHttpOptions({ port: 0, worker, metrics: { port: 0 } }).metrics?.port, 0);
});

test('bad metrics options are refused with a message naming the option', (t) => {
  const bad: [unknown, RegExp][] = [
    [true, /metrics must be an object/],
    [null, /metrics must be an object/],
    [{ port: 70_000 }, /metrics\.port must be an integer from 0 to 65535, got number 70000/],
    [{ port: '9464' }, /metrics\.port must be an integer/],
    [{ host: '' }, /metrics\.host must be a non-empty string/],
    [{ path: 'metrics' }, /metrics\.path must be a string starting with "\/"/],
    [{ timeout: 0 }, /metrics\.timeout must be a positive number of milliseconds/],
    [{ timeout: Infinity }, /metrics\.timeout must be a positive number of milliseconds/],
    [{ promClient: 'yes' }, /metrics\.promClient must be a boolean/],
    [{ prot: 9464 }, /metrics: unknown option "prot"/],
  ];
  for (const [metrics, message] of bad) {
    t.throws(() => resolveHttpOptions({ port: 8000, worker, metrics: metrics as never }), { instanceOf: TypeError, message }, JSON.stringify(metrics));
  }
});
