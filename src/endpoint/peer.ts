// A peer: one end of an RPC link over one transport. Owns the pending table (ids, timers, abort
// listeners), routes incoming frames, emits and receives events. Must not import node:cluster.
import { nanoid } from 'nanoid';
import pTimeout from 'p-timeout';
import type { EventMap, ProcedureDef, ProcedureMap } from '../contract/contract.js';
import { describe } from '../contract/contract.js';
import { check } from '../contract/schema.js';
import {
  RpcAbortedError,
  RpcBusyError,
  RpcClosedError,
  RpcError,
  RpcPeerExitedError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnknownMethodError,
  RpcUnserializableError,
  RpcValidationError,
  type PeerExitInfo,
} from '../errors.js';
import { decodeError, encodeError } from '../protocol/errors.js';
import { readFrame, type CallFrame, type EventFrame, type Frame } from '../protocol/frames.js';
import { inspectPayload, payloadError } from '../protocol/payload.js';
import type { Transport, TransportClose } from '../transport/transport.js';
import { Deadlines, type Expiring } from './deadlines.js';
import { Dispatcher, type ServedEntry } from './dispatch.js';
import type { Listeners } from './listeners.js';
import { checkTimeout, type ResolvedEndpointOptions } from './options.js';

/**
 * Options of one call.
 * @public
 */
export interface CallOptions {
  /** Overrides the endpoint's timeout for this call, in milliseconds; `Infinity` disables it. */
  readonly timeout?: number;
  /** Aborts the call: the promise rejects with `signal.reason` and the remote handler's signal aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Counters of one endpoint (summed over every worker on the primary's hub).
 * @public
 */
export interface EndpointStats {
  /** Calls this side made. */
  callsSent: number;
  /** Calls the other side made to this one. */
  callsReceived: number;
  /** Calls this side made that await their reply now. */
  inFlight: number;
  /** Incoming calls queued or running now. */
  handling: number;
  /** Calls that timed out. */
  timeouts: number;
  /** Calls whose remote handler threw. */
  remoteErrors: number;
  /** Inputs, outputs and events that failed their schema on this side. */
  validationFailures: number;
  /** Replies that came after their call had settled (timed out or aborted), dropped. */
  lateReplies: number;
  /** Events this side emitted. */
  eventsSent: number;
  /** Events this side received (valid or not). */
  eventsReceived: number;
  /** Malformed or unexpected frames received from the other side, ignored. */
  protocolErrors: number;
  /** Frames waiting for the channel to drain (backpressure). */
  backlog: number;
  /** Problems reported while no 'error' listener was registered (the first one is also a process warning). */
  unheardErrors: number;
}

/**
 * A call in flight, for finding stuck calls.
 * @public
 */
export interface InFlightCall {
  /** The call's correlation id. */
  readonly id: string;
  /** The procedure called. */
  readonly method: string;
  /** Who was called: `worker 3 (pid 1234)`, `the primary`. */
  readonly target: string;
  /** Milliseconds since the call started. */
  readonly ageMs: number;
}

/** Every counter at zero. */
export function zeroStats(): EndpointStats {
  return {
    callsSent: 0,
    callsReceived: 0,
    inFlight: 0,
    handling: 0,
    timeouts: 0,
    remoteErrors: 0,
    validationFailures: 0,
    lateReplies: 0,
    eventsSent: 0,
    eventsReceived: 0,
    protocolErrors: 0,
    backlog: 0,
    unheardErrors: 0,
  };
}

/** One outgoing call awaiting its reply. */
class PendingCall implements Expiring {
  settled = false;
  constructor(
    readonly id: string,
    readonly method: string,
    readonly frame: CallFrame,
    readonly timeout: number,
    readonly signal: AbortSignal | undefined,
    readonly startedAt: number,
    readonly deadline: number,
    readonly origin: { stack?: string } | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {}
}

export interface PeerConfig {
  readonly transport: Transport;
  /** Procedures this side serves, with their handlers. */
  readonly serves: ReadonlyMap<string, ServedEntry>;
  /** Procedures the other side serves. */
  readonly calls: ProcedureMap;
  readonly events: EventMap;
  readonly options: ResolvedEndpointOptions;
  readonly listeners: Listeners;
  /** Passed to event and error listeners, and to handlers as `ctx.worker`, on the primary's side. */
  readonly worker: object | undefined;
  /** The error a call gets once the other side is gone. */
  readonly goneError?: (peer: PeerExitInfo) => RpcError;
  /** Called once, when the peer closed for any reason. */
  readonly onClosed?: (info: TransportClose) => void;
}

const now = (): number => performance.now();


export class Peer {
  readonly #transport: Transport;
  readonly #calls: ReadonlyMap<string, ProcedureDef>;
  readonly #events: ReadonlyMap<string, EventMap[string]>;
  readonly #options: ResolvedEndpointOptions;
  readonly #listeners: Listeners;
  readonly #context: object;
  readonly #dispatcher: Dispatcher;
  readonly #pending = new Map<string, PendingCall>();
  /** The pending table's timers: one per distinct timeout, not one per call. */
  readonly #deadlines = new Deadlines<PendingCall>((pending) => this.#onTimeout(pending));
  readonly #prefix = `${nanoid(10)}.`;
  readonly #goneError: (peer: PeerExitInfo) => RpcError;
  readonly #onClosed: ((info: TransportClose) => void) | undefined;
  #seq = 0;
  /** Set once no new call may be made: returns the error such a call rejects with. */
  #refusal: (() => RpcError) | undefined;
  #closed = false;
  /** Set while draining: called when the last pending call settles. */
  #allSettled: (() => void) | undefined;
  #draining: Promise<void> | undefined;
  /** Set by close(), so a transport closed under the endpoint is told apart. */
  #closing = false;
  readonly #signals = new Map<AbortSignal, { calls: Set<PendingCall>; onAbort: () => void }>();
  #eventChain: Promise<void> | undefined;
  /** The counters; the gauges among them (inFlight, handling, backlog) are filled in by stats(). */
  readonly #stats = zeroStats();

  constructor(config: PeerConfig) {
    this.#transport = config.transport;
    this.#calls = new Map(Object.entries(config.calls));
    this.#events = new Map(Object.entries(config.events));
    this.#options = config.options;
    this.#listeners = config.listeners;
    this.#context = config.worker === undefined ? {} : { worker: config.worker };
    this.#goneError = config.goneError ?? ((peer) => new RpcPeerExitedError(peer, false));
    this.#onClosed = config.onClosed;
    const { concurrency, maxQueue } = config.options;
    this.#dispatcher = new Dispatcher(
      config.serves,
      { concurrency, maxQueue },
      (frame) => this.#transport.send(frame),
      config.options,
      config.transport.serialization,
      this.#stats,
      config.worker,
    );
    this.#transport.start({
      frame: (raw) => this.#onFrame(raw),
      closed: (info) => this.#onTransportClosed(info),
      problem: (error) => this.#problem(error),
      refused: (frame, error) => this.#onRefused(frame as Frame, error),
    });
  }

  /** The transport's serialization: what a payload must survive. */
  get serialization(): Transport['serialization'] {
    return this.#transport.serialization;
  }

  /** Who is on the other side. */
  get peerName(): string {
    return this.#transport.peerName;
  }

  /** Whether calls can still be made. */
  get isOpen(): boolean {
    return this.#refusal === undefined;
  }

  /** Calls a procedure of the other side. Never throws: every failure is a rejected promise. */
  call(method: string, input: unknown, options: CallOptions | undefined): Promise<unknown> {
    try {
      return this.#call(method, input, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #call(method: string, input: unknown, options: CallOptions | undefined): Promise<unknown> {
    if (this.#refusal !== undefined) return Promise.reject(this.#refusal());
    const def = typeof method === 'string' ? this.#calls.get(method) : undefined;
    if (def === undefined) return Promise.reject(new RpcUnknownMethodError(String(method)));
    let timeout = this.#options.timeout;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) {
        return Promise.reject(new TypeError(`call("${method}"): options must be an object, got ${describe(options)}`));
      }
      if (options.timeout !== undefined) timeout = checkTimeout(`call("${method}")`, options.timeout);
      if (options.signal !== undefined) {
        if (!(options.signal instanceof AbortSignal)) {
          return Promise.reject(new TypeError(`call("${method}"): signal must be an AbortSignal, got ${describe(options.signal)}`));
        }
        signal = options.signal;
        if (signal.aborted) return Promise.reject(signal.reason);
      }
    }
    if (this.#pending.size >= this.#options.maxInFlight) {
      return Promise.reject(new RpcBusyError('in-flight', this.#options.maxInFlight, `call("${method}") to ${this.peerName}`));
    }
    if (this.#options.validateInput === 'both' && def.input !== undefined) {
      const checked = check(def.input, input);
      const go = (c: Awaited<typeof checked>): Promise<unknown> => {
        if (c.ok) return this.#send(method, input, timeout, signal);
        this.#stats.validationFailures++;
        return Promise.reject(new RpcValidationError(method, 'input', c.issues));
      };
      return checked instanceof Promise ? checked.then(go) : go(checked);
    }
    return this.#send(method, input, timeout, signal);
  }

  #send(method: string, input: unknown, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#refusal !== undefined) return Promise.reject(this.#refusal());
    // Checked again here: an asynchronous input schema may have let the signal abort meanwhile.
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const problem = inspectPayload(input, this.#options.maxPayloadBytes, this.#transport.serialization);
    if (problem !== undefined) {
      return Promise.reject(payloadError(method, problem, this.#options.maxPayloadBytes));
    }
    const id = this.#prefix + (++this.#seq).toString(36);
    const frame: CallFrame = input === undefined ? { k: 'call', i: id, m: method } : { k: 'call', i: id, m: method, p: input };
    let origin: { stack?: string } | undefined;
    if (this.#options.captureCallStack) {
      origin = {};
      Error.captureStackTrace(origin, Peer.prototype.call);
    }
    return new Promise((resolve, reject) => {
      const startedAt = now();
      const pending = new PendingCall(id, method, frame, timeout, signal, startedAt, startedAt + timeout, origin, resolve, reject);
      if (timeout !== Infinity) this.#deadlines.add(pending, timeout);
      if (signal !== undefined) this.#watch(signal, pending);
      this.#pending.set(id, pending);
      this.#stats.callsSent++;
      this.#transport.send(frame);
    });
  }

  #settle(pending: PendingCall): void {
    this.#pending.delete(pending.id);
    pending.settled = true;
    if (pending.timeout !== Infinity) this.#deadlines.settled(pending.timeout);
    if (pending.signal !== undefined) this.#unwatch(pending.signal, pending);
    if (this.#allSettled !== undefined && this.#pending.size === 0) {
      this.#allSettled();
      this.#allSettled = undefined;
    }
  }

  // One abort listener per signal, however many calls share it: a signal shared by many calls
  // would otherwise collect a listener each (and Node warns past ten).
  #watch(signal: AbortSignal, pending: PendingCall): void {
    let group = this.#signals.get(signal);
    if (group === undefined) {
      const calls = new Set<PendingCall>();
      const onAbort = (): void => {
        for (const p of [...calls]) this.#onAbort(p);
      };
      group = { calls, onAbort };
      this.#signals.set(signal, group);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    group.calls.add(pending);
  }

  #unwatch(signal: AbortSignal, pending: PendingCall): void {
    const group = this.#signals.get(signal);
    if (group === undefined || !group.calls.delete(pending) || group.calls.size > 0) return;
    this.#signals.delete(signal);
    signal.removeEventListener('abort', group.onAbort);
  }

  #reject(pending: PendingCall, error: unknown): void {
    this.#settle(pending);
    if (pending.origin?.stack !== undefined && error instanceof RpcError) {
      // Point the error at the line that made the call, not at the timer or IPC listener.
      const frames = pending.origin.stack.slice(pending.origin.stack.indexOf('\n'));
      error.stack = `${error.name}: ${error.message}${frames}`;
    }
    pending.reject(error);
  }

  #onTimeout(pending: PendingCall): void {
    if (this.#pending.get(pending.id) !== pending) return;
    this.#stats.timeouts++;
    this.#transport.send({ k: 'cancel', i: pending.id, r: 'timeout', t: pending.timeout });
    this.#reject(pending, new RpcTimeoutError(pending.method, pending.timeout));
  }

  #onAbort(pending: PendingCall): void {
    if (this.#pending.get(pending.id) !== pending) return;
    this.#transport.send({ k: 'cancel', i: pending.id, r: 'abort' });
    this.#settle(pending);
    // signal.reason is always set once aborted: what abort() was given, or the platform's AbortError.
    pending.reject(pending.signal!.reason);
  }

  /** Sends an event. Throws when the event is unknown or its payload cannot be sent. */
  emit(name: string, payload: unknown, checked = false): void {
    if (!checked) this.checkEvent(name, payload);
    if (this.#refusal !== undefined) throw this.#refusal();
    this.#stats.eventsSent++;
    this.#transport.send(payload === undefined ? { k: 'event', m: name } : { k: 'event', m: name, p: payload });
  }

  /** Checks an event before it is sent; throws what `emit` would. */
  checkEvent(name: string, payload: unknown): void {
    if (typeof name !== 'string' || !this.#events.has(name)) {
      throw new TypeError(`emit: ${describe(name)} is not an event of the contract`);
    }
    const problem = inspectPayload(payload, this.#options.maxPayloadBytes, this.#transport.serialization);
    if (problem !== undefined) {
      throw payloadError(name, problem, this.#options.maxPayloadBytes);
    }
  }

  #onFrame(raw: unknown): void {
    const frame = readFrame(raw);
    if (typeof frame === 'string') return this.#problem(new Error(`malformed frame from ${this.peerName}: ${frame}`));
    switch (frame.k) {
      case 'call':
        return this.#dispatcher.onCall(frame);
      case 'ok':
      case 'err': {
        const pending = this.#pending.get(frame.i);
        if (pending === undefined) {
          this.#stats.lateReplies++;
          return;
        }
        if (frame.k === 'ok') {
          this.#settle(pending);
          return pending.resolve(frame.p);
        }
        const error = decodeError(pending.method, frame.e);
        if (error instanceof RpcRemoteError) this.#stats.remoteErrors++;
        return this.#reject(pending, error);
      }
      case 'cancel':
        return this.#dispatcher.onCancel(frame.i, (method) =>
          frame.r === 'timeout' && typeof frame.t === 'number'
            ? new RpcTimeoutError(method, frame.t)
            : new RpcAbortedError(`the caller aborted its call to "${method}"`),
        );
      case 'event':
        return this.#onEvent(frame);
      case 'bye':
        return this.#onBye();
    }
  }

  #onEvent(frame: EventFrame): void {
    this.#stats.eventsReceived++;
    const schema = this.#events.get(frame.m);
    if (schema === undefined) return this.#problem(new Error(`unknown event ${JSON.stringify(frame.m)} from ${this.peerName}`));
    const deliver = (c: Awaited<ReturnType<typeof check>>): void => {
      if (!c.ok) {
        this.#stats.validationFailures++;
        this.#listeners.error(new RpcValidationError(frame.m, 'event', c.issues), this.#context);
        return;
      }
      this.#listeners.emit(frame.m, c.value, this.#context);
    };
    // Events reach listeners in the order they were sent, even past an asynchronous schema.
    if (this.#eventChain === undefined) {
      const checked = check(schema, frame.p);
      if (!(checked instanceof Promise)) return deliver(checked);
      this.#queueEvent(checked.then(deliver));
    } else {
      this.#queueEvent(this.#eventChain.then(() => check(schema, frame.p)).then(deliver));
    }
  }

  #queueEvent(chain: Promise<void>): void {
    this.#eventChain = chain;
    void chain.then(() => {
      if (this.#eventChain === chain) this.#eventChain = undefined;
    });
  }

  #problem(error: Error): void {
    this.#stats.protocolErrors++;
    this.#listeners.error(error, this.#context);
  }

  /** A frame could not be serialized: fail what it carried. */
  #onRefused(frame: Frame, error: Error): void {
    const detail = `${error.message.split('\n')[0]} (the transport could not serialize it)`;
    switch (frame.k) {
      case 'call': {
        const pending = this.#pending.get(frame.i);
        if (pending !== undefined) this.#reject(pending, new RpcUnserializableError(frame.m, [], detail));
        return;
      }
      case 'ok':
        this.#transport.send({ k: 'err', i: frame.i, e: encodeError(new RpcUnserializableError('reply', [], detail), true) });
        return;
      case 'event':
        return this.#problem(new RpcUnserializableError(frame.m, [], detail));
      default:
        return this.#problem(error);
    }
  }

  #onBye(): void {
    // The other side closed its endpoint: nothing more will be answered there.
    const reason = `${this.peerName} closed its endpoint`;
    this.#refusal ??= () => new RpcClosedError(reason);
    for (const pending of [...this.#pending.values()]) this.#reject(pending, new RpcClosedError(reason));
    this.#dispatcher.cancelAll(new RpcClosedError(reason), undefined);
  }

  #onTransportClosed(info: TransportClose): void {
    this.#closed = true;
    if (this.#refusal === undefined) {
      const gone = this.#goneError(info.peer);
      this.#refusal = () => gone;
    }
    if (!info.local) {
      for (const pending of [...this.#pending.values()]) {
        this.#reject(pending, new RpcPeerExitedError(info.peer, !info.unsent.has(pending.frame)));
      }
      this.#dispatcher.cancelAll(new RpcPeerExitedError(info.peer, true), undefined);
    } else if (!this.#closing) {
      // The transport was closed under the endpoint: settle everything as close() would.
      const reason = `the transport to ${this.peerName} was closed`;
      for (const pending of [...this.#pending.values()]) this.#reject(pending, new RpcClosedError(reason));
      this.#dispatcher.cancelAll(new RpcClosedError(reason), undefined);
    }
    this.#deadlines.clear();
    this.#onClosed?.(info);
  }

  /** Rejects every call in flight and closes now. Incoming calls are answered with RPC_CLOSED. */
  close(reason = 'the endpoint was closed'): void {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    this.#refusal ??= () => new RpcClosedError(reason);
    for (const pending of [...this.#pending.values()]) this.#reject(pending, new RpcClosedError(reason));
    this.#dispatcher.cancelAll(new RpcClosedError(reason), new RpcClosedError(reason));
    this.#transport.send({ k: 'bye' });
    this.#transport.close();
  }

  /**
   * Refuses new calls both ways, waits for the calls in flight to settle (each within its own
   * timeout), then closes. With `timeout`, closes at the deadline whatever is left.
   */
  drain(timeout = Infinity): Promise<void> {
    try {
      checkTimeout('drain', timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.resolve();
    // A second drain joins the first.
    this.#draining ??= this.#drain(timeout);
    return this.#draining;
  }

  async #drain(timeout: number): Promise<void> {
    const reason = 'the endpoint is draining';
    this.#refusal ??= () => new RpcClosedError(reason);
    this.#dispatcher.refuse(reason);
    const outgoing =
      this.#pending.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.#allSettled = resolve;
          });
    const settled = Promise.all([outgoing, this.#dispatcher.idle()]);
    await (timeout === Infinity ? settled : pTimeout(settled, { milliseconds: timeout, message: false })).catch(() => undefined);
    this.close('the endpoint was drained');
  }

  stats(): EndpointStats {
    return {
      ...this.#stats,
      inFlight: this.#pending.size,
      handling: this.#dispatcher.size,
      backlog: this.#transport.backlog,
      unheardErrors: 0,
    };
  }

  inFlight(): InFlightCall[] {
    const at = now();
    return [...this.#pending.values()].map((p) => ({ id: p.id, method: p.method, target: this.peerName, ageMs: Math.round(at - p.startedAt) }));
  }
}
