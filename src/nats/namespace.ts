// One member's view of its namespace: subscriptions, the link (and endpoint) per other member,
// incoming routing, membership from heartbeats, and what a lost connection does. Untrusted
// messages are dropped and counted here, never thrown.
import { hostname } from 'node:os';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { nanoid } from 'nanoid';
import type { Contract, EventMap } from '../contract/contract.js';
import { Deadlines } from '../endpoint/deadlines.js';
import { createEndpoint } from '../endpoint/endpoint.js';
import { Listeners } from '../endpoint/listeners.js';
import { RpcNoWorkerError, RpcPeerExitedError, type PeerExitInfo } from '../errors.js';
import { AnyLink, MemberLink, notConnected, type AnyCall, type IncomingDeadline, type LinkHost } from './links.js';
import { Membership, type LeftReason, type MemberInfo } from './membership.js';
import { Inbound, type AnyEndpoint, type InboundHost, type Linked, type NamespaceCounters } from './inbound.js';
import type { ResolvedNatsOptions } from './options.js';
import { Outbox } from './outbox.js';
import { encodeHeartbeat, ID_PATTERN, Subjects, type Heartbeat } from './wire.js';

// The membership events' names; their payloads are built here, never validated.
const MEMBER_EVENTS = Object.freeze({ joined: {}, left: {} }) as unknown as EventMap;

export class Namespace implements LinkHost, InboundHost {
  readonly me = nanoid(16);
  readonly since = Date.now();
  readonly subjects: Subjects;
  readonly outbox: Outbox;
  readonly anyCalls = new Map<string, AnyCall>();
  readonly deadlines = new Deadlines<IncomingDeadline>((item) => item.link.expire(item));
  readonly links = new Map<string, Linked>();
  readonly membership: Membership;
  readonly listeners: Listeners;
  /** Membership changes: 'joined' and 'left' (checked by onMembers). */
  readonly memberListeners: Listeners;
  readonly counters: NamespaceCounters = { dropped: 0, synthesized: 0 };
  readonly any: { readonly link: AnyLink; readonly endpoint: AnyEndpoint };
  /** Counters of links that closed, so stats() keeps them (gauges excluded). */
  readonly retired: Record<string, number> = {};
  readonly other: 'primary' | 'worker';
  readonly #subs: Subscription[] = [];
  #queueSub: Subscription | undefined;
  #nextTimeout: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #status: { stop(): void } | undefined;
  #lastTick = performance.now();
  readonly #inbound = new Inbound(this);
  connected = true;
  state: 'up' | 'draining' | 'closed' = 'up';

  constructor(
    readonly nc: NatsConnection,
    readonly contract: Contract,
    readonly options: ResolvedNatsOptions,
    readonly handlers: (member: () => MemberInfo | undefined, id: string) => unknown,
    /** The largest NATS message this member sends or accepts. */
    readonly messageLimit: number,
  ) {
    this.listeners = new Listeners(contract.events, options.logger);
    this.memberListeners = new Listeners(MEMBER_EVENTS, options.logger);
    this.subjects = Subjects.of(options.namespace);
    this.other = options.side === 'primary' ? 'worker' : 'primary';
    this.outbox = new Outbox(nc, options.serialization, this.subjects, this.me, messageLimit);
    this.membership = new Membership(
      options.heartbeatTimeout,
      () => performance.now(),
      (info) => this.memberListeners.emit('joined', info, info),
      (info, reason) => this.#left(info, reason),
    );
    const noWorker = (): RpcNoWorkerError => new RpcNoWorkerError(`no member serves the ${this.other} side of namespace "${options.namespace}"; the call was not delivered`);
    const link = new AnyLink(this, `any ${this.other} of namespace "${options.namespace}"`, this.subjects.any(this.other, this.me), noWorker);
    this.any = { link, endpoint: this.#endpoint(link, '', () => undefined) };
  }

  get serialization(): ResolvedNatsOptions['serialization'] {
    return this.options.serialization;
  }

  takeTimeout(): number {
    return this.#nextTimeout ?? this.options.endpoint.timeout;
  }

  /** Runs `send` with the timeout its call frame must carry. */
  withTimeout<T>(timeout: number, send: () => T): T {
    this.#nextTimeout = timeout;
    try {
      return send();
    } finally {
      this.#nextTimeout = undefined;
    }
  }

  synthesized(): void {
    this.counters.synthesized++;
  }

  /**
   * Member `id` said hello again: it reconnected and dropped every call it had, so the calls
   * pending on it settle now instead of at their timeout. It stays a member.
   */
  restarted(id: string): void {
    this.#unlink(id, 'reconnected');
  }

  vanished(id: string): void {
    this.membership.leave(id, 'unreachable');
    this.#unlink(id, 'unreachable');
  }

  /** Subscribes, announces this member, and starts heartbeats. */
  async start(): Promise<void> {
    const s = this.subjects;
    const sub = (subject: string, callback: (msg: Msg) => void, queue?: string): Subscription => {
      const handle = this.nc.subscribe(subject, {
        ...(queue !== undefined ? { queue } : {}),
        callback: (error, msg) => (error ? this.listeners.error(error, {}) : callback(msg)),
      });
      this.#subs.push(handle);
      return handle;
    };
    sub(s.heartbeat, this.#inbound.onBeat);
    sub(`${s.prefix}.m.${this.me}.*`, this.#inbound.onDirect);
    sub(`${s.prefix}.e.*`, this.#inbound.onEvent);
    sub(`${s.prefix}.s.${this.me}.*`, this.#inbound.onStatus);
    await this.nc.flush();
    // Announce before taking calls from the queue group: a caller accepts an acknowledgement only
    // from a member it knows, and this connection's messages reach it in order.
    this.beat(true);
    if (this.options.serve && Object.keys(this.contract[this.options.side]).length > 0) {
      this.#queueSub = sub(`${s.anyQueue(this.options.side)}.*`, this.#inbound.onAny, s.anyQueue(this.options.side));
      await this.nc.flush();
    }
    this.#timer = setInterval(() => this.#tick(), this.options.heartbeatInterval);
    this.#timer.unref();
  }

  /** Announces this member; `hello` asks the others to announce themselves now. */
  beat(hello = false): void {
    if (!this.connected || this.nc.isClosed()) return;
    let load = 0;
    for (const { endpoint } of this.links.values()) load += endpoint.stats().handling;
    const state: Heartbeat['state'] = this.state === 'closed' ? 'bye' : this.state;
    const beat = { id: this.me, side: this.options.side, host: hostname(), pid: process.pid, label: this.options.label, serves: this.options.serve, since: this.since, load, state };
    try {
      this.nc.publish(this.subjects.heartbeat, encodeHeartbeat(hello ? { ...beat, hello: true } : beat));
    } catch (error) {
      this.listeners.error(error instanceof Error ? error : new Error(String(error)), {});
    }
  }

  #tick(): void {
    this.beat();
    const at = performance.now();
    const late = at - this.#lastTick > 2 * this.options.heartbeatInterval;
    this.#lastTick = at;
    // A tick that comes late means this process was blocked: the heartbeats that arrived meanwhile
    // are still unread, so silence is not judged until they have been.
    if (late) return;
    this.membership.sweep();
    const limit = performance.now() - this.options.heartbeatTimeout;
    for (const [id, call] of this.anyCalls) if (call.taken === undefined && call.cancel !== undefined && call.at < limit) this.anyCalls.delete(id);
    // Links made for senders that never sent a heartbeat are dropped like silent members.
    for (const [id, { link }] of this.links) if (this.membership.get(id) === undefined && link.createdAt < limit) this.#unlink(id, 'silent');
  }

  /** The link to member `id`, made on first use; `undefined` for an id that cannot have one. */
  linkFor(id: string): Linked | undefined {
    const existing = this.links.get(id);
    if (existing !== undefined) return existing;
    if (id === this.me || !ID_PATTERN.test(id) || this.state !== 'up' || this.membership.isGone(id)) return undefined;
    if (this.links.size >= this.options.maxMembers) return undefined;
    const info = this.membership.get(id);
    const name = info === undefined ? `member ${id}` : `member ${id} (${info.host}, pid ${info.pid})`;
    const link = new MemberLink(this, id, name);
    const linked = { link, endpoint: this.#endpoint(link, id, () => this.membership.get(id)) };
    this.links.set(id, linked);
    return linked;
  }

  #endpoint(link: MemberLink | AnyLink, id: string, member: () => MemberInfo | undefined): AnyEndpoint {
    const endpoint = createEndpoint(this.contract, this.options.side, link, { ...this.options.endpoint, handlers: this.handlers(member, id) as never });
    const ctx = {
      get member() {
        return member() ?? { id };
      },
    };
    for (const name of Object.keys(this.contract.events)) endpoint.on(name as never, ((payload: unknown) => this.listeners.emit(name, payload, ctx)) as never);
    endpoint.on('error', (error: Error) => this.listeners.error(error, ctx));
    return endpoint;
  }

  #left(info: MemberInfo, reason: LeftReason): void {
    this.#unlink(info.id, reason);
    this.memberListeners.emit('left', info, { reason });
  }

  /** Closes the link to a member that is gone: its calls reject with RPC_PEER_EXITED. */
  #unlink(id: string, reason: LeftReason | 'reconnected', unsent?: ReadonlySet<object>): void {
    const linked = this.links.get(id);
    const peer = `${linked?.link.peerName ?? `member ${id}`} [${REASONS[reason]}]`;
    for (const [callId, call] of this.anyCalls) {
      if (call.taken !== id) continue;
      this.anyCalls.delete(callId);
      this.any.link.fail(callId, new RpcPeerExitedError(exitInfo(peer), true));
    }
    if (linked === undefined) return;
    this.links.delete(id);
    linked.link.gone(exitInfo(peer), unsent);
    for (const [key, value] of Object.entries(linked.endpoint.stats())) {
      if (key !== 'inFlight' && key !== 'handling' && key !== 'backlog') this.retired[key] = (this.retired[key] ?? 0) + value;
    }
  }

  /** This process lost its NATS connection: every call in flight settles now. */
  disconnected(): void {
    if (!this.connected) return;
    this.connected = false;
    const unsent = this.outbox.takeAll();
    const neverLeft = new Set<string>();
    for (const frame of unsent.get(this.any.link) ?? []) neverLeft.add((frame as { i: string }).i);
    for (const callId of [...this.anyCalls.keys()]) {
      this.any.link.fail(callId, new RpcPeerExitedError(notConnected(new Error('connection lost')), !neverLeft.has(callId)));
    }
    this.anyCalls.clear();
    for (const [id, { link }] of [...this.links]) this.#unlink(id, 'disconnected', unsent.get(link) ?? new Set());
    this.membership.clear('disconnected');
  }

  reconnected(): void {
    this.connected = true;
    this.beat(true);
  }

  /** Follows the connection: a lost one settles every call, a lame-duck server calls `onLameDuck`. */
  watch(onLameDuck: () => void, onClosed: () => void): void {
    const status = this.nc.status();
    this.#status = status as unknown as { stop(): void };
    void (async () => {
      for await (const s of status) {
        if (s.type === 'disconnect' || s.type === 'close') this.disconnected();
        else if (s.type === 'reconnect') this.reconnected();
        else if (s.type === 'ldm' && this.options.lameDuck === 'drain') onLameDuck();
      }
    })().catch(() => undefined);
    // A connection closed for good (by its owner, or out of reconnect attempts) closes the member.
    const closed = (): void => {
      this.disconnected();
      if (this.state !== 'closed') onClosed();
    };
    void this.nc.closed().then(closed, closed);
  }

  stopStatus(): void {
    this.#status?.stop();
    this.#status = undefined;
  }

  /** Stops taking calls from the queue group: other members take them. */
  stopAny(): void {
    // Drained, not dropped: calls the client already holds are still answered (RPC_CLOSED once the
    // endpoints refuse), instead of waiting for their timeout.
    this.#queueSub?.drain().catch(() => undefined);
    this.#queueSub = undefined;
  }

  /** Says goodbye and stops listening. */
  async leave(): Promise<void> {
    this.state = 'closed';
    clearInterval(this.#timer);
    this.deadlines.clear();
    this.beat();
    for (const sub of this.#subs) sub.unsubscribe();
    this.#subs.length = 0;
  }

}

const REASONS: Record<LeftReason | 'reconnected', string> = {
  reconnected: 'it reconnected to NATS and dropped its calls',
  goodbye: 'it left the namespace',
  silent: 'its heartbeats stopped',
  unreachable: 'nobody listens for it any more',
  disconnected: 'this process lost its NATS connection',
};

function exitInfo(peer: string): PeerExitInfo {
  return { peer, workerId: undefined, exitCode: null, signal: null };
}
