// The public face of a NATS member: joinNamespace, calls to any member, to one, broadcast,
// events, membership, drain and close. The RPC work is done by the endpoints the namespace keeps.
import type { NatsConnection } from '@nats-io/transport-node';
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import { describe } from '../checks.js';
import { gather } from '../cluster/broadcast.js';
import { check } from '../contract/schema.js';
import type { HandlerContext } from '../endpoint/dispatch.js';
import type { Side } from '../endpoint/setup.js';
import type { InFlightCall } from '../endpoint/pending.js';
import type { EndpointStats } from '../endpoint/stats.js';
import { RpcBusyError, RpcNoWorkerError, RpcPeerExitedError, RpcValidationError } from '../errors.js';
import { notConnected } from './links.js';
import type { MemberInfo } from './membership.js';
import { Namespace } from './namespace.js';
import { resolveNatsOptions, type ResolvedNatsOptions } from './options.js';
import type { JoinOptions, MemberHandle, NatsBroadcastResult, NatsMember, NatsMemberStats } from './types.js';
import { translate } from './wire.js';

type AnyHandler = (input: unknown, ctx: HandlerContext) => unknown;

/** The handlers, each given a context that names the calling member. */
function withMember(handlers: unknown, member: () => MemberInfo | undefined, id: string): unknown {
  if (typeof handlers !== 'object' || handlers === null) return handlers;
  const wrap = (h: AnyHandler): AnyHandler => (input, ctx) =>
    h(input, { method: ctx.method, callId: ctx.callId, get signal() { return ctx.signal; }, member: member() ?? { id } } as HandlerContext);
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(handlers)) {
    if (typeof entry === 'function') out[name] = wrap(entry as AnyHandler);
    else if (typeof entry === 'object' && entry !== null && typeof (entry as { handler?: unknown }).handler === 'function') {
      out[name] = { ...entry, handler: wrap((entry as { handler: AnyHandler }).handler) };
    } else out[name] = entry;
  }
  return out;
}

class Member {
  readonly #ns: Namespace;
  readonly #options: ResolvedNatsOptions;
  #drained: Promise<void> | undefined;
  #inFlight = 0;

  constructor(ns: Namespace, options: ResolvedNatsOptions) {
    this.#ns = ns;
    this.#options = options;
  }
  get id(): string {
    return this.#ns.me;
  }
  get namespace(): string {
    return this.#options.namespace;
  }
  get side(): Side {
    return this.#options.side;
  }
  get isConnected(): boolean {
    return this.#ns.state === 'up' && this.#ns.connected && this.#ns.any.endpoint.isConnected;
  }

  call(method: string, input?: unknown, options?: unknown): Promise<unknown> {
    if (this.#ns.state === 'up' && !this.#ns.connected) return Promise.reject(new RpcPeerExitedError(notConnected(), false));
    return this.#through(this.#ns.any.endpoint, method, input, options);
  }

  /** A call through one endpoint: the deadline rides along, local errors get their own class, the reply is checked. */
  #through(endpoint: Namespace['any']['endpoint'], method: string, input: unknown, options: unknown): Promise<unknown> {
    // maxInFlight bounds the member as a whole, as it bounds a worker's one link over IPC.
    const max = this.#options.endpoint.maxInFlight;
    if (this.#inFlight >= max) return Promise.reject(new RpcBusyError('in-flight', max, `call("${String(method)}")`));
    const t = (options as { timeout?: unknown } | undefined)?.timeout;
    const timeout = typeof t === 'number' && t > 0 ? t : this.#options.endpoint.timeout;
    const sent = this.#ns.withTimeout(timeout, () => endpoint.call(method, input, options as never));
    this.#inFlight++;
    return sent.then(
      (value) => {
        this.#inFlight--;
        return this.#checkReply(method, value);
      },
      (error: unknown) => {
        this.#inFlight--;
        throw translate(error, method);
      },
    );
  }

  #checkReply(method: string, value: unknown): unknown {
    const def = this.#options.validateReplies ? this.#ns.contract[this.#ns.other][method] : undefined;
    if (def?.output === undefined) return value;
    const settle = (c: Awaited<ReturnType<typeof check>>): unknown => {
      if (c.ok) return c.value;
      throw new RpcValidationError(method, 'output', c.issues);
    };
    const checked = check(def.output, value);
    return checked instanceof Promise ? checked.then(settle) : settle(checked);
  }

  members(): MemberInfo[] {
    return this.#ns.membership.list();
  }

  member(id: string): MemberHandle<ProcedureMap> | undefined {
    const info = this.#ns.membership.get(id);
    if (info === undefined || info.side !== this.#ns.other || !info.serves) return undefined;
    const ns = this.#ns;
    return {
      id,
      get info() {
        return ns.membership.get(id);
      },
      call: (method: string, input?: unknown, options?: unknown) => this.#callMember(id, method, input, options),
    } as MemberHandle<ProcedureMap>;
  }

  #callMember(id: string, method: string, input: unknown, options: unknown): Promise<unknown> {
    if (this.#ns.state === 'up' && !this.#ns.connected) return Promise.reject(new RpcPeerExitedError(notConnected(), false));
    const linked = this.#ns.membership.get(id) === undefined ? undefined : this.#ns.linkFor(id);
    if (linked === undefined) {
      if (this.#ns.state !== 'up') return this.#through(this.#ns.any.endpoint, method, input, options); // rejects with RPC_CLOSED
      return Promise.reject(new RpcNoWorkerError(`member ${id} is not in namespace "${this.#options.namespace}"; the call was not sent`));
    }
    return this.#through(linked.endpoint, method, input, options);
  }

  broadcast(method: string, input?: unknown, options?: unknown): Promise<NatsBroadcastResult<unknown>[]> {
    const members = this.#ns.membership.list().filter((m) => m.side === this.#ns.other && m.serves && m.state === 'up');
    // The same scatter/gather as the hub's broadcast; entries name a member instead of a worker.
    const targets = members.map((member) => ({ info: member, call: (m: string, i: unknown, o: unknown) => this.#callMember(member.id, m, i, o) }));
    return gather(targets, method, input, options).then((entries) => entries.map(({ worker, ...entry }) => ({ member: worker, ...entry })));
  }

  emit(event: string, payload?: unknown): void {
    // The any-endpoint checks the event and its payload exactly as emit over IPC does.
    this.#ns.any.endpoint.emit(event as never, payload as never);
  }

  on(event: string, listener: (...args: any[]) => unknown): () => void {
    return this.#ns.listeners.on(event, listener);
  }

  off(event: string, listener: (...args: any[]) => unknown): void {
    this.#ns.listeners.off(event, listener);
    this.#ns.memberListeners.off(event, listener);
  }

  onMembers(event: 'joined' | 'left', listener: (...args: any[]) => unknown): () => void {
    if (event !== 'joined' && event !== 'left') throw new TypeError(`onMembers: event must be 'joined' or 'left', got ${describe(event)}`);
    if (typeof listener !== 'function') throw new TypeError(`onMembers("${event}"): listener must be a function, got ${describe(listener)}`);
    return this.#ns.memberListeners.on(event, listener);
  }

  stats(): NatsMemberStats {
    const ns = this.#ns;
    const all = [ns.any.endpoint, ...[...ns.links.values()].map((l) => l.endpoint)];
    const total = { ...ns.any.endpoint.stats(), dropped: ns.counters.dropped, members: ns.membership.size };
    for (const endpoint of all.slice(1)) {
      const s = endpoint.stats();
      for (const key of Object.keys(s) as (keyof EndpointStats)[]) total[key] += s[key];
    }
    for (const [key, value] of Object.entries(ns.retired)) total[key as keyof EndpointStats] += value;
    total.remoteErrors -= ns.counters.synthesized;
    total.unheardErrors = ns.listeners.unheard;
    total.backlog = ns.outbox.backlog;
    return total;
  }

  inFlight(): InFlightCall[] {
    return [this.#ns.any.endpoint, ...[...this.#ns.links.values()].map((l) => l.endpoint)].flatMap((e) => e.inFlight());
  }

  drain(options: { readonly timeout?: number } = {}): Promise<void> {
    this.#drained ??= this.#drain(options.timeout ?? this.#options.drainTimeout);
    return this.#drained;
  }

  async #drain(timeout: number): Promise<void> {
    const ns = this.#ns;
    if (ns.state !== 'up') return;
    ns.state = 'draining';
    ns.stopAny();
    ns.beat();
    const endpoints = [ns.any.endpoint, ...[...ns.links.values()].map((l) => l.endpoint)];
    await Promise.all(endpoints.map((e) => e.drain({ timeout })));
    await this.#leave();
  }

  async close(): Promise<void> {
    const ns = this.#ns;
    if (ns.state === 'closed') return;
    ns.state = 'draining';
    for (const e of [ns.any.endpoint, ...[...ns.links.values()].map((l) => l.endpoint)]) await e.close();
    await this.#leave();
  }

  async #leave(): Promise<void> {
    const ns = this.#ns;
    if (ns.state === 'closed') return;
    for (const { endpoint } of ns.links.values()) await endpoint.close();
    await ns.leave();
    ns.stopStatus();
    if (!ns.connected || ns.nc.isClosed()) return;
    // Bounded: a flush waits for the server, which may be unreachable.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ns.nc.flush().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Joins a namespace on a NATS connection you opened (your servers, credentials, TLS and reconnect
 * options): serves one side of a contract and calls the other side's members. Resolves once its
 * subscriptions are in place and it has announced itself.
 *
 * @throws `TypeError` for a bad option or a missing handler; the connection's error when it is closed.
 * @example
 * ```ts
 * const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
 * const worker = await joinNamespace(nc, contract, { namespace: 'shop', side: 'worker', handlers });
 * const admin = await joinNamespace(nc, contract, { namespace: 'shop', side: 'primary', handlers: {} });
 * const results = await admin.broadcast('stats', undefined, { timeout: 2_000 });
 * ```
 * @public
 */
export async function joinNamespace<C extends Contract<ProcedureMap, ProcedureMap, EventMap>, S extends Side>(
  connection: NatsConnection,
  contract: C,
  options: JoinOptions<C, S>,
): Promise<NatsMember<C, S>> {
  const resolved = resolveNatsOptions('joinNamespace', options, ['handlers']);
  if (!resolved.serve && options.handlers !== undefined) throw new TypeError('joinNamespace: a member with serve: false takes no handlers');
  // A member that does not serve gets handlers that never run: calls to it are answered before them.
  const handlers = resolved.serve ? options.handlers : Object.fromEntries(Object.keys(contract[resolved.side]).map((name) => [name, () => undefined]));
  if (typeof connection !== 'object' || connection === null || typeof connection.subscribe !== 'function') {
    throw new TypeError(`joinNamespace: expected a NATS connection from @nats-io/transport-node, got ${describe(connection)}`);
  }
  if (connection.isClosed()) throw new Error('joinNamespace: the NATS connection is closed');
  const serverMax = connection.info?.max_payload ?? 1024 * 1024;
  const maxPayloadBytes = Math.min(resolved.endpoint.maxPayloadBytes, serverMax - 1024);
  const messageLimit = Math.min(serverMax, maxPayloadBytes + 16 * 1024);
  const final = Object.freeze({ ...resolved, endpoint: Object.freeze({ ...resolved.endpoint, maxPayloadBytes }) });
  const ns = new Namespace(connection, contract, final, (member, id) => withMember(handlers, member, id), messageLimit);
  const member = new Member(ns, final);
  ns.watch(
    () => void member.drain(),
    () => void member.close(),
  );
  await ns.start();
  return member as unknown as NatsMember<C, S>;
}
