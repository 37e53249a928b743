// The error classes and the table of codes.
import test from 'ava';
import {
  ErrorCodes,
  RpcAbortedError,
  RpcBusyError,
  RpcClosedError,
  RpcError,
  RpcNoWorkerError,
  RpcPayloadTooLargeError,
  RpcPeerExitedError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnknownMethodError,
  RpcUnserializableError,
  RpcValidationError,
  type RpcErrorCode,
} from '../../src/index.js';
import { RpcReloadError, RpcSchedulingPolicyError, RpcWorkerStartError } from '../../src/http/index.js';
import { decodeError, encodeError, WIRE_FORMS } from '../../src/protocol/errors.js';

const exit = { peer: 'worker 3 (pid 99)', workerId: 3, exitCode: null, signal: 'SIGKILL' };

const INSTANCES: readonly [Function, RpcError, string][] = [
  [RpcTimeoutError, new RpcTimeoutError('m', 10), 'RPC_TIMEOUT'],
  [RpcAbortedError, new RpcAbortedError(), 'RPC_ABORTED'],
  [RpcValidationError, new RpcValidationError('m', 'input', []), 'RPC_VALIDATION'],
  [RpcRemoteError, new RpcRemoteError('m', { name: 'Error', message: 'x' }), 'RPC_REMOTE'],
  [RpcUnknownMethodError, new RpcUnknownMethodError('m'), 'RPC_UNKNOWN_METHOD'],
  [RpcPeerExitedError, new RpcPeerExitedError(exit, true), 'RPC_PEER_EXITED'],
  [RpcNoWorkerError, new RpcNoWorkerError('none'), 'RPC_NO_WORKER'],
  [RpcBusyError, new RpcBusyError('mailbox', 1, 'm'), 'RPC_BUSY'],
  [RpcClosedError, new RpcClosedError(), 'RPC_CLOSED'],
  [RpcPayloadTooLargeError, new RpcPayloadTooLargeError('m', 1), 'RPC_PAYLOAD_TOO_LARGE'],
  [RpcUnserializableError, new RpcUnserializableError('m', ['a'], 'why'), 'RPC_UNSERIALIZABLE'],
  [RpcWorkerStartError, new RpcWorkerStartError(1, 'did not become ready within 5 ms'), 'RPC_WORKER_START_FAILED'],
  [RpcReloadError, new RpcReloadError('reload: the cluster is shutting down'), 'RPC_RELOAD_FAILED'],
  [RpcSchedulingPolicyError, new RpcSchedulingPolicyError('round-robin', 2, 1), 'RPC_SCHEDULING_POLICY'],
];

for (const [Class, error, code] of INSTANCES) {
  test(`${Class.name} is an RpcError and an Error named after its class, with code ${code}`, (t) => {
    t.true(error instanceof RpcError);
    t.true(error instanceof Error);
    t.true(error instanceof Class);
    t.is(error.name, Class.name);
    t.is(error.code as string, code);
    t.true(Object.hasOwn(ErrorCodes, error.code));
    t.regex(String(error.stack), new RegExp(`^${Class.name}: `));
    t.is(Object.prototype.toString.call(error), '[object Error]');
  });
}

test('every code in ErrorCodes is produced by some error class', (t) => {
  t.deepEqual(new Set(Object.keys(ErrorCodes)), new Set(INSTANCES.map(([, , code]) => code)));
});

test('ErrorCodes is frozen and describes every code in a sentence', (t) => {
  t.true(Object.isFrozen(ErrorCodes));
  t.throws(() => {
    (ErrorCodes as any).RPC_NEW = 'x';
  }, { instanceOf: TypeError });
  for (const [code, text] of Object.entries(ErrorCodes)) {
    t.regex(code, /^RPC_[A-Z_]+$/);
    t.true(typeof text === 'string' && text.length > 10);
  }
});

test('RpcPeerExitedError says how the peer went and whether the request was sent', (t) => {
  const killed = new RpcPeerExitedError(exit, true);
  t.is(killed.message, 'worker 3 (pid 99) was killed by SIGKILL; the request had been sent (outcome unknown)');
  t.is(killed.workerId, 3);
  t.is(killed.signal, 'SIGKILL');
  const exited = new RpcPeerExitedError({ ...exit, signal: null, exitCode: 2 }, false);
  t.is(exited.message, 'worker 3 (pid 99) exited with code 2; the request was never sent (safe to retry)');
  t.is(new RpcPeerExitedError({ ...exit, signal: null }, false).message, 'worker 3 (pid 99) disconnected; the request was never sent (safe to retry)');
});

test('RpcValidationError lists at most five issues in its message, with their paths', (t) => {
  const issues = Array.from({ length: 7 }, (_, i) => ({ path: i === 0 ? [] : ['a', i], message: `bad ${i}` }));
  const error = new RpcValidationError('put', 'output', issues);
  t.is(error.message, 'invalid output for "put": (root): bad 0; a.1: bad 1; a.2: bad 2; a.3: bad 3; a.4: bad 4; …');
  t.is(error.issues.length, 7);
});

test('RpcBusyError names its bound in its message', (t) => {
  t.regex(new RpcBusyError('in-flight', 5, 'call("x")').message, /5 calls are already in flight \(maxInFlight\)/);
  t.regex(new RpcBusyError('mailbox', 7, '"x"').message, /the mailbox queue is full \(7 waiting, maxQueue\)/);
});

test('RpcUnserializableError names the path of the value in its message', (t) => {
  t.is(new RpcUnserializableError('echo', ['a', 0, 'b'], 'a Map').message, 'payload of "echo" at a.0.b: a Map');
  t.is(new RpcUnserializableError('echo', [], 'a Map').message, 'payload of "echo" at (root): a Map');
});

test('RpcAbortedError and RpcClosedError keep a cause', (t) => {
  const cause = new Error('why');
  t.is(new RpcAbortedError('stop', { cause }).cause, cause);
  t.is(new RpcClosedError('closed', { cause }).cause, cause);
});

test('every code has a wire form naming only fields its class really has', (t) => {
  t.deepEqual(new Set(Object.keys(WIRE_FORMS)), new Set(Object.keys(ErrorCodes)));
  for (const [, error, code] of INSTANCES) {
    for (const field of WIRE_FORMS[code as RpcErrorCode].fields) t.true(Object.hasOwn(error, field), `${code}.${field}`);
  }
});

test('every error a callee library answers with is rebuilt as the same class, with its fields', (t) => {
  for (const [Class, error, code] of INSTANCES) {
    if (WIRE_FORMS[code as RpcErrorCode].rebuild === undefined) continue;
    const rebuilt = decodeError('m', encodeError(error, true));
    t.true(rebuilt instanceof Class, code);
    t.is(rebuilt.code as string, code);
    for (const field of WIRE_FORMS[code as RpcErrorCode].fields) {
      t.deepEqual((rebuilt as unknown as Record<string, unknown>)[field], (error as unknown as Record<string, unknown>)[field], `${code}.${field}`);
    }
  }
});
