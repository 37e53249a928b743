// The callee's side of a peer: incoming calls through validation, mailboxes and handlers to a
// reply; cancellation that reaches the handler's signal. Must not import cluster or transports.
import type { ProcedureDef } from '../contract/contract.js';
import { toIssues, validate, type Outcome } from '../contract/schema.js';
import { RpcBusyError, RpcClosedError, RpcUnknownMethodError, RpcValidationError } from '../errors.js';
import { encodeError } from '../protocol/errors.js';
import { errFrame, okFrame, type CallFrame, type Frame } from '../protocol/frames.js';
import { measurePayload, payloadError, sizeStamp, type Serialization } from '../protocol/payload.js';
import { Mailbox } from './mailbox.js';
import { NO_ERROR, outcomeOf, serverArrived, serverSettled } from './observe.js';
import type { ResolvedEndpointOptions } from './options.js';
import type { RpcServerSpan } from '../tracing/types.js';

/** A handler as the dispatcher sees it: untyped. */
export type AnyHandler = (input: any, context: any) => unknown;

/** One served procedure: its schemas, its handler and, if it has its own, its mailbox. */
export interface ServedProcedure {
  readonly def: ProcedureDef;
  readonly handler: AnyHandler;
  readonly mailbox: Mailbox<IncomingCall> | undefined;
}

/** A procedure as the endpoint is given it: `concurrency` undefined shares the endpoint's mailbox. */
export interface ServedEntry {
  readonly def: ProcedureDef;
  readonly handler: AnyHandler;
  readonly concurrency: number | undefined;
  readonly maxQueue: number;
}

/** Counters the dispatcher shares with its peer. */
export interface DispatchStats {
  callsReceived: number;
  validationFailures: number;
}

/**
 * The context a handler receives as its second argument: which call it serves, and a signal that
 * aborts when the caller gives up (timeout, abort) or the peer goes away.
 * @public
 */
export interface HandlerContext {
  /** The procedure being served. */
  readonly method: string;
  /** The call's correlation id. */
  readonly callId: string;
  /** Aborts when the caller times out or aborts, or the connection to it closes. */
  readonly signal: AbortSignal;
}

/** An incoming call, from arrival to reply. It is also the handler's context. */
export class IncomingCall implements HandlerContext {
  readonly callId: string;
  readonly method: string;
  readonly input: unknown;
  readonly procedure: ServedProcedure;
  /** The worker that made the call, on the primary's side. */
  readonly worker: unknown;
  started = false;
  cancelled = false;
  /** Set once the dispatcher let go of it (replied, failed, cancelled): its id may then be reused. */
  forgotten = false;
  /** When it arrived (`performance.now()`), when metrics are on. */
  arrivedAt = 0;
  /** Its SERVER span, when it is traced. */
  span: RpcServerSpan | undefined = undefined;
  #reason: unknown;
  #controller: AbortController | undefined;

  constructor(frame: CallFrame, procedure: ServedProcedure, worker: unknown) {
    this.callId = frame.i;
    this.method = frame.m;
    this.input = frame.p;
    this.procedure = procedure;
    this.worker = worker;
  }

  // Created on first use: most handlers never read their signal, and an AbortController per call
  // is measurable on the hot path.
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Why it was cancelled, once it was. */
  get reason(): unknown {
    return this.#reason;
  }

  cancel(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const NO_VALUE: Outcome = { value: undefined };

export class Dispatcher {
  readonly #procedures: ReadonlyMap<string, ServedProcedure>;
  readonly #calls = new Map<string, IncomingCall>();
  readonly #send: (frame: Frame) => void;
  readonly #options: ResolvedEndpointOptions;
  /** Read at each reply: a transport learns its channel's serialization from the handshake. */
  readonly #wire: { readonly serialization: Serialization };
  readonly #stats: DispatchStats;
  readonly #worker: unknown;
  #refusing: string | undefined;
  #idle: (() => void) | undefined;
  readonly #sharedBox: Mailbox<IncomingCall> | undefined;
  readonly #metrics: ResolvedEndpointOptions['metrics'];
  readonly #tracing: ResolvedEndpointOptions['tracing'];
  /** Whether anyone observes incoming calls (metrics or tracing): one check per site when not. */
  readonly #observed: boolean;

  constructor(
    procedures: ReadonlyMap<string, ServedEntry>,
    shared: { concurrency: number; maxQueue: number },
    send: (frame: Frame) => void,
    options: ResolvedEndpointOptions,
    wire: { readonly serialization: Serialization },
    stats: DispatchStats,
    worker: unknown,
  ) {
    const run = (job: IncomingCall): void => this.#run(job);
    const sharedBox = shared.concurrency === Infinity ? undefined : new Mailbox<IncomingCall>(shared.concurrency, shared.maxQueue, run);
    const served = new Map<string, ServedProcedure>();
    for (const [name, p] of procedures) {
      const mailbox =
        p.concurrency === undefined ? sharedBox : p.concurrency === Infinity ? undefined : new Mailbox<IncomingCall>(p.concurrency, p.maxQueue, run);
      served.set(name, { def: p.def, handler: p.handler, mailbox });
    }
    this.#procedures = served;
    this.#send = send;
    this.#options = options;
    this.#wire = wire;
    this.#stats = stats;
    this.#worker = worker;
    this.#sharedBox = sharedBox;
    this.#metrics = options.metrics;
    this.#tracing = options.tracing;
    this.#observed = options.metrics !== undefined || options.tracing !== undefined;
  }

  /** `[mailbox, waiting]`: `'shared'` for the endpoint's own mailbox, else each procedure that has its own. */
  *mailboxes(): Iterable<[string, number]> {
    if (this.#sharedBox !== undefined) yield ['shared', this.#sharedBox.waiting];
    for (const [name, p] of this.#procedures) if (p.mailbox !== undefined && p.mailbox !== this.#sharedBox) yield [name, p.mailbox.waiting];
  }

  /** Incoming calls queued or running. */
  get size(): number {
    return this.#calls.size;
  }

  onCall(frame: CallFrame): void {
    this.#stats.callsReceived++;
    if (this.#refusing !== undefined) return this.#refuse(frame, new RpcClosedError(this.#refusing));
    const procedure = this.#procedures.get(frame.m);
    if (procedure === undefined) return this.#refuse(frame, new RpcUnknownMethodError(frame.m));
    if (this.#calls.size >= this.#options.maxInFlight) {
      return this.#refuse(frame, new RpcBusyError('in-flight', this.#options.maxInFlight, `"${frame.m}"`));
    }
    if (this.#calls.has(frame.i)) return; // a duplicate id: the first call owns it
    const job = new IncomingCall(frame, procedure, this.#worker);
    if (this.#observed) serverArrived(this.#metrics, this.#tracing, job, frame.c);
    this.#calls.set(job.callId, job);
    if (procedure.mailbox === undefined) this.#run(job);
    else if (!procedure.mailbox.offer(job)) {
      job.forgotten = true;
      this.#calls.delete(job.callId);
      job.span?.end('RPC_BUSY');
      this.#refuse(frame, new RpcBusyError('mailbox', procedure.mailbox.maxQueue, `"${frame.m}"`));
    }
  }

  /** A call whose input is over this side's size limit: answered with `error`, no handler runs. */
  onOversized(frame: CallFrame, error: Error): void {
    this.#stats.callsReceived++;
    this.#refuse(frame, error);
  }

  onCancel(id: string, reason: (method: string) => Error): void {
    const job = this.#calls.get(id);
    if (job === undefined) return;
    job.cancel(reason(job.method));
    // A queued job never started: take it out of its mailbox now, so it frees its place. A
    // running one is forgotten when its handler settles; its reply is suppressed.
    if (job.procedure.mailbox !== undefined && !job.started) {
      job.procedure.mailbox.remove(job);
      this.#forget(job, false);
    }
  }

  /** Refuses new calls from now on, answering them with RPC_CLOSED. */
  refuse(reason: string): void {
    this.#refusing ??= reason;
  }

  /** Resolves when no incoming call is queued or running. */
  idle(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#idle;
      this.#idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * Cancels every incoming call. With `reply`, callers are told (RPC_CLOSED); without it, the
   * caller is gone and nothing is sent.
   */
  cancelAll(reason: unknown, reply: Error | undefined): void {
    for (const job of [...this.#calls.values()]) {
      if (reply !== undefined && !job.cancelled) this.#send(errFrame(job.callId, encodeError(reply, true)));
      job.cancel(reason);
      // Its mailbox place is freed now; when the handler settles, #forget finds it gone.
      this.#forget(job, true);
    }
    for (const procedure of this.#procedures.values()) procedure.mailbox?.clear();
  }

  #refuse(frame: CallFrame, error: Error): void {
    this.#metrics?.callRefused('server', outcomeOf(error));
    this.#send(errFrame(frame.i, encodeError(error, true)));
  }

  #run(job: IncomingCall): void {
    job.started = true;
    const schema = job.procedure.def.input;
    if (schema === undefined) return this.#invoke(job, NO_VALUE);
    const checked = validate(schema, job.input);
    if (checked instanceof Promise) void checked.then((c) => this.#invoke(job, c));
    else this.#invoke(job, checked);
  }

  #invoke(job: IncomingCall, checked: Outcome): void {
    if (job.cancelled) return this.#forget(job, true);
    if (checked.issues !== undefined) {
      this.#stats.validationFailures++;
      return this.#fail(job, new RpcValidationError(job.method, 'input', toIssues(checked.issues)), true);
    }
    let result: unknown;
    try {
      result = job.span === undefined ? job.procedure.handler(checked.value, job) : job.span.run(() => job.procedure.handler(checked.value, job));
    } catch (error) {
      return this.#fail(job, error, false);
    }
    if (isPromiseLike(result)) {
      try {
        result.then(
          (value) => this.#output(job, value),
          (error: unknown) => this.#fail(job, error, false),
        );
      } catch (error) {
        // A thenable whose then() throws: the handler failed.
        this.#fail(job, error, false);
      }
    } else {
      this.#output(job, result);
    }
  }

  #output(job: IncomingCall, value: unknown): void {
    if (job.cancelled) return this.#forget(job, true);
    const schema = job.procedure.def.output;
    if (schema === undefined) return this.#reply(job, NO_VALUE);
    const checked = validate(schema, value);
    if (checked instanceof Promise) void checked.then((c) => this.#reply(job, c));
    else this.#reply(job, checked);
  }

  #reply(job: IncomingCall, checked: Outcome): void {
    if (job.cancelled) return this.#forget(job, true);
    if (checked.issues !== undefined) {
      this.#stats.validationFailures++;
      return this.#fail(job, new RpcValidationError(job.method, 'output', toIssues(checked.issues)), true);
    }
    const limit = this.#options.maxPayloadBytes;
    let size;
    try {
      size = measurePayload(checked.value, limit, this.#wire.serialization);
      if (typeof size !== 'number') return this.#fail(job, payloadError(job.method, size, limit), true);
    } catch (error) {
      return this.#fail(job, error, false); // a getter in the output threw
    }
    this.#send(okFrame(job.callId, checked.value, sizeStamp(checked.value, size)));
    this.#forget(job, true);
  }

  #fail(job: IncomingCall, error: unknown, rpc: boolean): void {
    if (!job.cancelled) this.#send(errFrame(job.callId, encodeError(error, rpc)));
    this.#forget(job, true, error, rpc);
  }

  #forget(job: IncomingCall, release: boolean, error: unknown = NO_ERROR, rpc = false): void {
    // A live job is the one its id maps to (a duplicate id is refused while it lives): a flag, not a lookup.
    if (job.forgotten) return;
    job.forgotten = true;
    if (this.#observed) serverSettled(this.#metrics, job, error, rpc);
    this.#calls.delete(job.callId);
    if (release && job.started) job.procedure.mailbox?.release();
    if (this.#calls.size === 0 && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }
}
