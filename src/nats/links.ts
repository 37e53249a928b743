// The Transport seam, many-to-many: one MemberLink per other member (its own endpoint, pending
// table and dispatcher, as the hub keeps one per worker), and one AnyLink whose calls go to the
// queue group of the other side and are answered by whichever member took them.
import { RpcNoWorkerError, RpcPayloadTooLargeError, RpcPeerExitedError, RpcError, type PeerExitInfo } from '../errors.js';
import { Deadlines, type Expiring } from '../endpoint/deadlines.js';
import { encodeError } from '../protocol/errors.js';
import type { Serialization } from '../protocol/payload.js';
import type { Transport, TransportReceiver } from '../transport/transport.js';
import type { Outbox, Route } from './outbox.js';
import { localError, type Subjects } from './wire.js';

/** A call to "any member" on its way: who took it (from its acknowledgement), and a cancel waiting for that. */
export interface AnyCall {
  taken: string | undefined;
  cancel: object | undefined;
  readonly at: number;
}

/** An incoming call's deadline, carried in the request: its handler's signal aborts then. */
export class IncomingDeadline implements Expiring {
  settled = false;
  constructor(
    readonly link: MemberLink,
    readonly id: string,
    readonly remaining: number,
    readonly lane: number,
    readonly deadline: number,
  ) {}
}

/** What links need of the member that owns them. */
export interface LinkHost {
  readonly me: string;
  readonly serialization: Serialization;
  readonly subjects: Subjects;
  readonly outbox: Outbox;
  readonly anyCalls: Map<string, AnyCall>;
  readonly deadlines: Deadlines<IncomingDeadline>;
  /** The timeout of the call being sent now, to carry in its request. */
  takeTimeout(): number;
  /** Counts an error raised on this side and handed to an endpoint as an error frame. */
  synthesized(): void;
  /** The server said nobody listens on member `id`'s subject. */
  vanished(id: string): void;
}

/** A call frame as it goes on the wire: with the time it has left, in milliseconds. */
function withDeadline(frame: object, timeout: number): object {
  if (timeout === Infinity) return frame;
  // Built field by field: an object spread costs several microseconds on this path.
  const f = frame as { k: 'call'; i: string; m: string; p?: unknown };
  return f.p === undefined ? { k: f.k, i: f.i, m: f.m, d: Math.round(timeout) } : { k: f.k, i: f.i, m: f.m, p: f.p, d: Math.round(timeout) };
}

abstract class LinkBase implements Transport, Route {
  #receiver: TransportReceiver | undefined;
  protected isClosed = false;
  readonly backlog = 0;
  constructor(
    protected readonly host: LinkHost,
    readonly peerName: string,
  ) {}
  get serialization(): Serialization {
    return this.host.serialization;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  start(receiver: TransportReceiver): void {
    this.#receiver = receiver;
  }
  abstract send(frame: object): boolean;
  abstract close(): void;
  abstract noResponders(callIds: readonly string[]): void;

  /** Hands an incoming frame to the endpoint. Never throws. */
  deliver(frame: unknown): void {
    const receiver = this.#receiver;
    if (receiver === undefined || this.isClosed) return;
    try {
      receiver.frame(frame);
    } catch (error) {
      receiver.problem(error instanceof Error ? error : new Error(String(error)));
    }
  }
  problem(error: Error): void {
    this.#receiver?.problem(error);
  }
  protected finish(peer: PeerExitInfo, unsent: ReadonlySet<object>, local: boolean): void {
    this.isClosed = true;
    this.#receiver?.closed({ peer, unsent, local });
  }
  /** Rejects call `id` of this link's endpoint with an error raised here. */
  fail(id: string, error: RpcError): void {
    if (this.isClosed) return;
    this.host.synthesized();
    this.deliver({ k: 'err', i: id, e: localError(error) });
  }
  refused(frame: object, error: Error): void {
    const f = frame as { k?: string; i?: string };
    if (f.k === 'call' && f.i !== undefined) {
      this.forget(f.i);
      this.fail(f.i, error instanceof RpcError ? error : new RpcPeerExitedError(notConnected(error), false));
    } else if (f.k === 'ok' && f.i !== undefined && error instanceof RpcPayloadTooLargeError) {
      this.send({ k: 'err', i: f.i, e: encodeError(error, true) });
    } else {
      this.problem(error);
    }
  }
  protected forget(_id: string): void {}
}

/** What a call that could not be published says of the connection. */
export function notConnected(error?: Error): PeerExitInfo {
  return { peer: `the NATS connection (${error?.message ?? 'not connected'})`, workerId: undefined, exitCode: null, signal: null };
}

/** The link to one other member: its direct subject, and the deadlines of the calls it made to us. */
export class MemberLink extends LinkBase {
  readonly subject: string;
  readonly incoming = new Map<string, IncomingDeadline>();
  readonly createdAt = performance.now();
  constructor(
    host: LinkHost,
    readonly id: string,
    peerName: string,
  ) {
    super(host, peerName);
    this.subject = host.subjects.direct(id, host.me);
  }

  send(frame: object): boolean {
    if (this.isClosed) return false;
    const f = frame as { k: string; i: string };
    if (f.k === 'call') {
      this.host.outbox.push(this.subject, this, frame, withDeadline(frame, this.host.takeTimeout()), f.i);
      return true;
    }
    if (f.k === 'ok' || f.k === 'err') this.#answered(f.i);
    this.host.outbox.push(this.subject, this, frame, frame);
    return true;
  }

  /** An incoming call from this member, with the time its caller gave it. */
  track(id: string, remaining: unknown): void {
    if (typeof remaining !== 'number' || !(remaining > 0) || remaining > 2 ** 31 - 1 || this.incoming.has(id)) return;
    // Lanes of 50 ms keep the timers few; an item fires at most one lane late.
    const lane = Math.ceil(remaining / 50) * 50;
    const item = new IncomingDeadline(this, id, remaining, lane, performance.now() + remaining);
    this.incoming.set(id, item);
    this.host.deadlines.add(item, lane);
  }

  /** The caller's deadline passed: abort the handler as the caller's own cancel would. */
  expire(item: IncomingDeadline): void {
    if (this.incoming.get(item.id) !== item) return;
    this.#answered(item.id);
    this.deliver({ k: 'cancel', i: item.id, r: 'timeout', t: item.remaining });
  }

  #answered(id: string): void {
    const item = this.incoming.get(id);
    if (item === undefined) return;
    this.incoming.delete(id);
    item.settled = true;
    this.host.deadlines.settled(item.lane);
  }

  noResponders(callIds: readonly string[]): void {
    for (const id of callIds) this.fail(id, new RpcNoWorkerError(`${this.peerName} is not in the namespace; the call was not delivered`));
    this.host.vanished(this.id);
  }

  /** This side closes the link: queued frames (a goodbye) still go. */
  close(): void {
    if (this.isClosed) return;
    this.host.outbox.flush();
    this.#clear();
    this.finish({ peer: this.peerName, workerId: undefined, exitCode: null, signal: null }, new Set(), true);
  }

  /** The member is gone: pending calls reject, what never left is known. */
  gone(peer: PeerExitInfo, unsent: ReadonlySet<object> = this.host.outbox.take(this.subject)): void {
    if (this.isClosed) return;
    this.#clear();
    this.finish(peer, unsent, false);
  }

  #clear(): void {
    for (const id of [...this.incoming.keys()]) this.#answered(id);
  }
}

/** Calls to whichever member of the other side the NATS queue group picks. */
export class AnyLink extends LinkBase {
  readonly subject: string;
  constructor(
    host: LinkHost,
    peerName: string,
    subject: string,
    readonly noWorker: () => RpcNoWorkerError,
  ) {
    super(host, peerName);
    this.subject = subject;
  }

  send(frame: object): boolean {
    if (this.isClosed) return false;
    const f = frame as { k: string; i: string };
    if (f.k === 'call') {
      this.host.anyCalls.set(f.i, { taken: undefined, cancel: undefined, at: performance.now() });
      this.host.outbox.push(this.subject, this, frame, withDeadline(frame, this.host.takeTimeout()), f.i);
    } else if (f.k === 'cancel') {
      const call = this.host.anyCalls.get(f.i);
      if (call === undefined) return true;
      if (call.taken === undefined) {
        call.cancel = frame; // goes to the member that takes it, when its acknowledgement comes
      } else {
        this.host.anyCalls.delete(f.i);
        this.host.outbox.push(this.host.subjects.direct(call.taken, this.host.me), this, frame, frame);
      }
    } else if (f.k === 'event') {
      // Events go to every member at once, on this member's event subject, in send order.
      this.host.outbox.push(this.host.subjects.events(this.host.me), this, frame, frame);
    }
    // A goodbye from this endpoint goes nowhere: members learn it from the heartbeat.
    return true;
  }

  protected override forget(id: string): void {
    this.host.anyCalls.delete(id);
  }

  noResponders(callIds: readonly string[]): void {
    for (const id of callIds) {
      if (this.host.anyCalls.delete(id)) this.fail(id, this.noWorker());
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.finish({ peer: this.peerName, workerId: undefined, exitCode: null, signal: null }, new Set(), true);
  }
}
