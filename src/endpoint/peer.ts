// A peer: one end of an RPC link over one transport. Routes incoming frames to the pending table
// (replies) and the dispatcher (calls), emits and receives events, and runs the link's lifecycle
// (bye, transport closed, close, drain). Must not import node:cluster.
import pTimeout from 'p-timeout';
import { checkTimeout } from '../checks.js';
import type { ProcedureDef } from '../contract/contract.js';
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
import { BYE_FRAME, callFrame, cancelFrame, errFrame, eventFrame, readFrame, type Frame } from '../protocol/frames.js';
import { measurePayload, payloadError, sizeStamp } from '../protocol/payload.js';
import type { Transport, TransportClose } from '../transport/transport.js';
import { Dispatcher } from './dispatch.js';
import { ReceiveChecks } from './receive.js';
import { EventInbox } from './inbox.js';
import type { Listeners } from './listeners.js';
import type { ResolvedEndpointOptions } from './options.js';
import type { EndpointSetup } from './setup.js';
import { readCallOptions, type CallOptions } from './typed.js';
import { PendingCalls, type InFlightCall, type PendingCall } from './pending.js';
import { snapshotStats, zeroStats, type EndpointStats } from './stats.js';
import { gaugesOf, outcomeOf } from './observe.js';
import { schemasToWarm, warmUp } from './warm-up.js';

export class Peer {
  readonly #transport: Transport;
  readonly #calls: ReadonlyMap<string, ProcedureDef>;
  readonly #inbox: EventInbox;
  readonly #options: ResolvedEndpointOptions;
  readonly #listeners: Listeners;
  readonly #context: object;
  readonly #dispatcher: Dispatcher;
  readonly #pending: PendingCalls;
  readonly #receive: ReceiveChecks;
  readonly #goneError: (peer: PeerExitInfo) => RpcError;
  readonly #onClosed: ((info: TransportClose) => void) | undefined;
  readonly #timeoutHint: (() => string | undefined) | undefined;
  /** Set once no new call may be made: returns the error such a call rejects with. */
  #refusal: (() => RpcError) | undefined;
  #closed = false;
  #draining: Promise<void> | undefined;
  /** Set by close(), so a transport closed under the endpoint is told apart. */
  #closing = false;
  /** The counters; the gauges among them (inFlight, handling, backlog) are filled in by stats(). */
  readonly #stats = zeroStats();
  readonly #metrics: ResolvedEndpointOptions['metrics'];
  /** Stops the metrics reading this peer's gauges; set while they do. */
  #unwatch: (() => void) | undefined;

  constructor(config: EndpointSetup) {
    this.#transport = config.transport;
    this.#calls = new Map(Object.entries(config.calls));
    this.#options = config.options;
    this.#listeners = config.listeners;
    this.#context = config.worker === undefined ? {} : { worker: config.worker };
    this.#inbox = new EventInbox(config.events, config.listeners, this.#context, this.#stats, (name) =>
      this.#problem(new Error(`unknown event ${JSON.stringify(name)} from ${this.peerName}`)),
    );
    this.#receive = new ReceiveChecks({
      options: config.options,
      serialization: config.transport.serialization,
      calls: this.#calls,
      peerName: () => this.peerName,
      problem: (error) => this.#problem(error),
      stats: this.#stats,
    });
    this.#goneError = config.goneError ?? ((peer) => new RpcPeerExitedError(peer, false));
    this.#onClosed = config.onClosed;
    this.#timeoutHint = config.timeoutHint;
    this.#pending = new PendingCalls(
      { expired: (pending) => this.#onTimeout(pending), aborted: (pending) => this.#onAbort(pending) },
      config.options.captureCallStack ? Peer.prototype.call : undefined,
      config.options,
    );
    const { concurrency, maxQueue } = config.options;
    this.#dispatcher = new Dispatcher(
      config.serves,
      { concurrency, maxQueue },
      (frame) => this.#transport.send(frame),
      config.options,
      config.transport,
      this.#stats,
      config.worker,
    );
    this.#metrics = config.options.metrics;
    this.#unwatch = this.#metrics?.watch(gaugesOf(this.#pending, this.#dispatcher, config.transport));
    this.#transport.start({
      frame: (raw) => this.#onFrame(raw),
      closed: (info) => this.#onTransportClosed(info),
      problem: (error) => this.#problem(error),
      refused: (frame, error) => this.#onRefused(frame as Frame, error),
    });
    // While our handshake travels: the schemas are compiled before the peer can send a call.
    warmUp(schemasToWarm(config.serves.values(), this.#calls.values(), config.options), () => this.#closed || this.#closing);
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
    if (this.#refusal !== undefined) return this.#refused(this.#refusal());
    const def = typeof method === 'string' ? this.#calls.get(method) : undefined;
    if (def === undefined) return this.#refused(new RpcUnknownMethodError(String(method)));
    let timeout = this.#options.timeout;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      ({ timeout, signal } = readCallOptions(`call("${method}")`, options, timeout));
      if (signal?.aborted === true) return this.#refused(signal.reason, 'RPC_ABORTED');
    }
    if (this.#pending.size >= this.#options.maxInFlight) {
      return this.#refused(new RpcBusyError('in-flight', this.#options.maxInFlight, `call("${method}") to ${this.peerName}`));
    }
    if (this.#options.validateInput === 'both' && def.input !== undefined) {
      const checked = check(def.input, input);
      const go = (c: Awaited<typeof checked>): Promise<unknown> => {
        if (c.ok) return this.#send(method, input, timeout, signal);
        this.#stats.validationFailures++;
        return this.#refused(new RpcValidationError(method, 'input', c.issues));
      };
      return checked instanceof Promise ? checked.then(go) : go(checked);
    }
    return this.#send(method, input, timeout, signal);
  }

  #send(method: string, input: unknown, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.#refusal !== undefined) return this.#refused(this.#refusal());
    // Checked again here: an asynchronous input schema may have let the signal abort meanwhile.
    if (signal?.aborted === true) return this.#refused(signal.reason, 'RPC_ABORTED');
    const limit = this.#options.maxPayloadBytes;
    const size = measurePayload(input, limit, this.#transport.serialization);
    if (typeof size !== 'number') return this.#refused(payloadError(method, size, limit));
    const frame = callFrame(this.#pending.nextId(), method, input, sizeStamp(input, size));
    const result = this.#pending.add(frame, timeout, signal, this.#pending.origin());
    this.#stats.callsSent++;
    this.#transport.send(frame);
    return result;
  }

  /** A call refused before it was sent: counted by its code (`code`, else the error's), then rejected. */
  #refused(error: unknown, code?: string): Promise<never> {
    this.#metrics?.callRefused('client', code ?? outcomeOf(error));
    return Promise.reject(error);
  }

  #onTimeout(pending: PendingCall): void {
    this.#stats.timeouts++;
    this.#transport.send(cancelFrame(pending.id, pending.timeout));
    const error = new RpcTimeoutError(pending.method, pending.timeout);
    const hint = this.#timeoutHint?.();
    if (hint !== undefined) error.message += `: ${hint}`;
    this.#pending.reject(pending, error);
  }

  #onAbort(pending: PendingCall): void {
    this.#transport.send(cancelFrame(pending.id));
    // signal.reason is always set once aborted: what abort() was given, or the platform's AbortError.
    this.#pending.abandon(pending, pending.signal!.reason);
  }

  /** Sends an event. Throws when the event is unknown or its payload cannot be sent. */
  emit(name: string, payload: unknown, checked = false): void {
    // A payload checked once for many peers (a broadcast) is measured once: its size is kept.
    const size = checked ? this.#inbox.checkedSize(payload, this.#transport.serialization) : this.checkEvent(name, payload);
    if (this.#refusal !== undefined) throw this.#refusal();
    this.#stats.eventsSent++;
    this.#transport.send(eventFrame(name, payload, sizeStamp(payload, size)));
  }

  /** Checks an event before it is sent; throws what `emit` would. Returns the payload's size estimate. */
  checkEvent(name: string, payload: unknown): number {
    return this.#inbox.measure(name, payload, this.#options.maxPayloadBytes, this.#transport.serialization);
  }

  #onFrame(raw: unknown): void {
    const frame = readFrame(raw);
    if (typeof frame === 'string') return this.#problem(new Error(`malformed frame from ${this.peerName}: ${frame}`));
    switch (frame.k) {
      case 'call':
        if (this.#receive.tooLarge(frame)) return this.#dispatcher.onOversized(frame, this.#receive.oversized(frame.m, 'input'));
        return this.#dispatcher.onCall(frame);
      case 'ok':
      case 'err': {
        const pending = this.#pending.get(frame.i);
        if (pending === undefined) {
          this.#stats.lateReplies++;
          this.#metrics?.lateReply();
          return;
        }
        if (frame.k === 'ok') return this.#receive.reply(pending, frame, this.#pending);
        const error = decodeError(pending.method, frame.e);
        if (error instanceof RpcRemoteError) this.#stats.remoteErrors++;
        return this.#pending.reject(pending, error);
      }
      case 'cancel':
        return this.#dispatcher.onCancel(frame.i, (method) =>
          frame.r === 'timeout' && typeof frame.t === 'number'
            ? new RpcTimeoutError(method, frame.t)
            : new RpcAbortedError(`the caller aborted its call to "${method}"`),
        );
      case 'event':
        if (this.#receive.tooLarge(frame)) {
          this.#stats.eventsReceived++;
          return void this.#receive.oversized(frame.m, 'event');
        }
        return this.#inbox.receive(frame);
      case 'bye':
        return this.#onBye();
    }
  }

  #problem(error: Error): void {
    this.#stats.protocolErrors++;
    this.#metrics?.protocolError();
    this.#listeners.error(error, this.#context);
  }

  /** A frame could not be serialized: fail what it carried. */
  #onRefused(frame: Frame, error: Error): void {
    const detail = `${error.message.split('\n')[0]} (the transport could not serialize it)`;
    switch (frame.k) {
      case 'call': {
        const pending = this.#pending.get(frame.i);
        if (pending !== undefined) this.#pending.reject(pending, new RpcUnserializableError(frame.m, [], detail));
        return;
      }
      case 'ok':
        this.#transport.send(errFrame(frame.i, encodeError(new RpcUnserializableError('reply', [], detail), true)));
        return;
      case 'event':
        return this.#problem(new RpcUnserializableError(frame.m, [], detail));
      default:
        return this.#problem(error);
    }
  }

  #onBye(): void {
    // The other side closed its endpoint: nothing more will be answered there.
    this.#closeAll(`${this.peerName} closed its endpoint`, false);
  }

  /** Refuses new calls and settles every call both ways with RPC_CLOSED; `reply`: tell the callers of incoming calls. */
  #closeAll(reason: string, reply: boolean): void {
    this.#refusal ??= () => new RpcClosedError(reason);
    this.#pending.rejectAll(() => new RpcClosedError(reason));
    this.#dispatcher.cancelAll(new RpcClosedError(reason), reply ? new RpcClosedError(reason) : undefined);
  }

  #onTransportClosed(info: TransportClose): void {
    this.#closed = true;
    if (this.#refusal === undefined) {
      const gone = this.#goneError(info.peer);
      this.#refusal = () => gone;
    }
    if (!info.local) {
      this.#metrics?.peerExited();
      this.#pending.rejectAll((pending) => new RpcPeerExitedError(info.peer, !info.unsent.has(pending.frame)));
      this.#dispatcher.cancelAll(new RpcPeerExitedError(info.peer, true), undefined);
    } else if (!this.#closing) {
      // The transport was closed under the endpoint: settle everything as close() would.
      this.#closeAll(`the transport to ${this.peerName} was closed`, false);
    }
    this.#pending.stopTimers();
    this.#unwatch?.();
    this.#onClosed?.(info);
  }

  /** Rejects every call in flight and closes now. Incoming calls are answered with RPC_CLOSED. */
  close(reason = 'the endpoint was closed'): void {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    this.#closeAll(reason, true);
    this.#transport.send(BYE_FRAME);
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
    const settled = Promise.all([this.#pending.allSettled(), this.#dispatcher.idle()]);
    await (timeout === Infinity ? settled : pTimeout(settled, { milliseconds: timeout, message: false })).catch(() => undefined);
    this.close('the endpoint was drained');
  }

  /** The counters and gauges; `unheardErrors` is the listeners' count, given by the owner of the listeners. */
  stats(unheardErrors = 0): EndpointStats {
    return snapshotStats(this.#stats, { inFlight: this.#pending.size, handling: this.#dispatcher.size, backlog: this.#transport.backlog }, unheardErrors);
  }

  inFlight(): InFlightCall[] {
    return this.#pending.list(this.peerName);
  }
}
