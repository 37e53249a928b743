// The error classes every layer throws or rejects with, and the frozen table of their codes.
// Imports nothing from the library: every other module may import this one.

/**
 * Every error code that typed-cluster-rpc produces, mapped to a one-line description.
 * The table is frozen; a code never changes meaning once released.
 * @public
 */
export const ErrorCodes = Object.freeze({
  RPC_TIMEOUT: 'The call did not settle before its timeout.',
  RPC_ABORTED: "The caller's AbortSignal aborted the call.",
  RPC_VALIDATION: 'An input, output or event payload failed its schema.',
  RPC_REMOTE: 'The remote handler threw; the remote error is attached.',
  RPC_UNKNOWN_METHOD: 'The other side serves no procedure of that name.',
  RPC_PEER_EXITED: 'The other process exited or disconnected before the call settled.',
  RPC_NO_WORKER: 'The target worker is gone, or there is no worker to call.',
  RPC_BUSY: 'Too many calls in flight, or a mailbox queue is full.',
  RPC_CLOSED: 'The endpoint was closed.',
  RPC_PAYLOAD_TOO_LARGE: 'The payload is larger than maxPayloadBytes.',
  RPC_UNSERIALIZABLE: "The payload holds a value the transport's serialization cannot carry intact.",
  RPC_WORKER_START_FAILED: 'An HTTP cluster worker did not become ready: its factory threw, it could not listen, it exited or timed out.',
  RPC_RELOAD_FAILED: 'A rolling restart stopped: a new worker did not become ready, or the cluster is shutting down.',
  RPC_SCHEDULING_POLICY: "The HTTP cluster's balance needs a scheduling policy this process can no longer set.",
} as const);

/**
 * A stable error code, one of the keys of {@link ErrorCodes}.
 * @public
 */
export type RpcErrorCode = keyof typeof ErrorCodes;


/**
 * Base class of every error typed-cluster-rpc produces. Branch on `code`, which never changes meaning.
 * @public
 */
export class RpcError extends Error {
  /** The stable code of this error. */
  readonly code: RpcErrorCode;

  constructor(code: RpcErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** The class name, such as `'RpcTimeoutError'`. */
  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * The call did not settle within its timeout. The remote handler's `ctx.signal` is aborted.
 * @public
 */
export class RpcTimeoutError extends RpcError {
  /** The procedure that was called. */
  readonly method: string;
  /** The timeout that elapsed, in milliseconds. */
  readonly timeout: number;
  constructor(method: string, timeout: number) {
    super('RPC_TIMEOUT', `call to "${method}" timed out after ${timeout} ms`);
    this.method = method;
    this.timeout = timeout;
  }
}

/**
 * The call was aborted. The caller's own abort rejects with `signal.reason` (what was passed to
 * `abort()`, or the platform's `AbortError`); this error is the reason the remote handler's
 * `ctx.signal` carries when its caller aborted.
 * @public
 */
export class RpcAbortedError extends RpcError {
  constructor(message = 'the call was aborted', options?: ErrorOptions) {
    super('RPC_ABORTED', message, options);
  }
}

/**
 * One problem a schema reported: where in the value, and what is wrong.
 * @public
 */
export interface RpcValidationIssue {
  /** Keys from the root of the value to the offending part; empty for the root. */
  readonly path: readonly PropertyKey[];
  /** The schema's message. */
  readonly message: string;
}

/**
 * Which value failed its schema.
 * @public
 */
export type RpcValidationSide = 'input' | 'output' | 'event';

/**
 * A value failed its schema: a call's input or output, or an event's payload.
 * @public
 */
export class RpcValidationError extends RpcError {
  /** The procedure or event whose schema refused the value. */
  readonly method: string;
  /** Which value was refused. */
  readonly side: RpcValidationSide;
  /** What the schema reported. */
  readonly issues: readonly RpcValidationIssue[];
  constructor(method: string, side: RpcValidationSide, issues: readonly RpcValidationIssue[]) {
    const detail = issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
      .join('; ');
    super('RPC_VALIDATION', `invalid ${side} for "${method}": ${detail}${issues.length > 5 ? '; …' : ''}`);
    this.method = method;
    this.side = side;
    this.issues = issues;
  }
}

/**
 * The remote handler threw. `remoteName`, `message`, `remoteCode`, `remoteStack` and `data` are the
 * remote error's own; `cause` is the remote error's cause, rebuilt the same way.
 * @public
 */
export class RpcRemoteError extends RpcError {
  /** The procedure whose handler threw. */
  readonly method: string;
  /** The `name` of the error the handler threw (`'Error'`, `'TypeError'`, …). */
  readonly remoteName: string;
  /** The `code` of the error the handler threw, where it had one. */
  readonly remoteCode: string | undefined;
  /** The stack of the error the handler threw, as the remote process printed it. */
  readonly remoteStack: string | undefined;
  /** The remote error's other own enumerable fields, on a null-prototype object. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
  constructor(
    method: string,
    remote: { name: string; message: string; code?: string | undefined; stack?: string | undefined; data?: Record<string, unknown> | undefined },
    options?: ErrorOptions,
  ) {
    super('RPC_REMOTE', remote.message, options);
    this.method = method;
    this.remoteName = remote.name;
    this.remoteCode = remote.code;
    this.remoteStack = remote.stack;
    this.data = remote.data;
  }
}

/**
 * The other side serves no procedure of that name.
 * @public
 */
export class RpcUnknownMethodError extends RpcError {
  /** The name that was called. */
  readonly method: string;
  constructor(method: string) {
    super('RPC_UNKNOWN_METHOD', `no procedure named "${method}" is served on the other side`);
    this.method = method;
  }
}

/**
 * The other process exited or disconnected before the call settled.
 * @public
 */
export class RpcPeerExitedError extends RpcError {
  /** The cluster worker id of the peer, when the peer is a worker. */
  readonly workerId: number | undefined;
  /** The peer's exit code, when known. */
  readonly exitCode: number | null;
  /** The signal that ended the peer, when known. */
  readonly signal: string | null;
  /**
   * Whether the request had left this process. `true`: the peer may have run it, the outcome is
   * unknown. `false`: it never left, so retrying it elsewhere is safe.
   */
  readonly sent: boolean;
  constructor(info: PeerExitInfo, sent: boolean) {
    super('RPC_PEER_EXITED', `${info.peer} ${describeExit(info.exitCode, info.signal)}; the request ${sent ? 'had been sent (outcome unknown)' : 'was never sent (safe to retry)'}`);
    this.workerId = info.workerId;
    this.exitCode = info.exitCode;
    this.signal = info.signal;
    this.sent = sent;
  }
}

/** How a process ended, in words: `was killed by SIGKILL`, `exited with code 1`, `disconnected`. */
export function describeExit(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  if (exitCode !== null) return `exited with code ${exitCode}`;
  return 'disconnected';
}

/**
 * How a peer went away, as a transport reports it.
 * @public
 */
export interface PeerExitInfo {
  /** A human-readable name for the peer, such as `worker 3 (pid 1234)` or `the primary`. */
  readonly peer: string;
  /** The peer's cluster worker id, when it is a worker. */
  readonly workerId: number | undefined;
  /** The exit code, when known. */
  readonly exitCode: number | null;
  /** The signal that ended the peer, when known. */
  readonly signal: string | null;
}

/**
 * The target worker is gone, or no worker matches. The request never left this process (or, over
 * NATS, was delivered to nobody): retrying it elsewhere is safe.
 * @public
 */
export class RpcNoWorkerError extends RpcError {
  /**
   * Whether the request had left this process: always `false` here, as for an
   * {@link RpcPeerExitedError} whose request never left, so one check (`error.sent === false`)
   * tells a safe retry for both.
   */
  readonly sent: false = false;
  constructor(message: string) {
    super('RPC_NO_WORKER', message);
  }
}

/**
 * A bound was reached: calls in flight on this endpoint (`scope: 'in-flight'`) or a mailbox's
 * queue (`scope: 'mailbox'`). The call was not run; retrying later is safe.
 * @public
 */
export class RpcBusyError extends RpcError {
  /** Which bound was reached. */
  readonly scope: 'in-flight' | 'mailbox';
  /** The bound's value. */
  readonly limit: number;
  constructor(scope: 'in-flight' | 'mailbox', limit: number, what: string) {
    super(
      'RPC_BUSY',
      scope === 'in-flight'
        ? `${what}: ${limit} calls are already in flight (maxInFlight)`
        : `${what}: the mailbox queue is full (${limit} waiting, maxQueue)`,
    );
    this.scope = scope;
    this.limit = limit;
  }
}

/**
 * The endpoint was closed, locally or by the other side.
 * @public
 */
export class RpcClosedError extends RpcError {
  constructor(message = 'the endpoint is closed', options?: ErrorOptions) {
    super('RPC_CLOSED', message, options);
  }
}

/**
 * A payload's estimated serialized size is larger than `maxPayloadBytes`. Nothing was sent.
 * @public
 */
export class RpcPayloadTooLargeError extends RpcError {
  /** The procedure or event whose payload was refused. */
  readonly method: string;
  /** The limit, in bytes. */
  readonly limit: number;
  constructor(method: string, limit: number) {
    super('RPC_PAYLOAD_TOO_LARGE', `payload of "${method}" is larger than maxPayloadBytes (${limit} bytes)`);
    this.method = method;
    this.limit = limit;
  }
}

/**
 * A payload holds a value that the transport's serialization would change or drop (a `Date`,
 * `BigInt`, `Map`, … over `'json'` IPC). Nothing was sent.
 * @public
 */
export class RpcUnserializableError extends RpcError {
  /** The procedure or event whose payload was refused. */
  readonly method: string;
  /** Where in the payload the value is, as keys from its root. */
  readonly path: readonly PropertyKey[];
  constructor(method: string, path: readonly PropertyKey[], detail: string) {
    super('RPC_UNSERIALIZABLE', `payload of "${method}" at ${path.length > 0 ? path.map(String).join('.') : '(root)'}: ${detail}`);
    this.method = method;
    this.path = path;
  }
}
