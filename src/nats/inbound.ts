// What arrives on a namespace's subjects, routed to the links of the member that owns them.
// Untrusted throughout: anything that is not a valid frame is dropped and counted, never thrown.
import type { Msg } from '@nats-io/transport-node';
import { RpcClosedError } from '../errors.js';
import { encodeError } from '../protocol/errors.js';
import type { Endpoint } from '../endpoint/endpoint.js';
import type { AnyCall, AnyLink, MemberLink } from './links.js';
import type { Membership } from './membership.js';
import type { ResolvedNatsOptions } from './options.js';
import type { Outbox } from './outbox.js';
import { decode, decodeHeartbeat, Subjects, type Decoded } from './wire.js';

/** An endpoint of any contract (a namespace holds one per other member). */
export type AnyEndpoint = Endpoint<any, any>;

/** A link to one other member and the endpoint over it. */
export interface Linked {
  readonly link: MemberLink;
  readonly endpoint: AnyEndpoint;
}

/** The counters the namespace keeps besides its endpoints'. */
export interface NamespaceCounters {
  dropped: number;
  synthesized: number;
}

/** What the inbound routing reads and drives of its namespace (the Namespace class is one). */
export interface InboundHost {
  readonly me: string;
  readonly other: 'primary' | 'worker';
  readonly state: 'up' | 'draining' | 'closed';
  readonly options: ResolvedNatsOptions;
  readonly messageLimit: number;
  readonly counters: NamespaceCounters;
  readonly membership: Membership;
  readonly subjects: Subjects;
  readonly outbox: Outbox;
  readonly links: ReadonlyMap<string, Linked>;
  readonly anyCalls: Map<string, AnyCall>;
  readonly any: { readonly link: AnyLink; readonly endpoint: AnyEndpoint };
  linkFor(id: string): Linked | undefined;
  restarted(id: string): void;
  beat(hello?: boolean): void;
}

export class Inbound {
  constructor(readonly ns: InboundHost) {}

  open(msg: Msg): Decoded | undefined {
    if (msg.data.byteLength > this.ns.messageLimit) return this.drop();
    const decoded = decode(this.ns.options.serialization, msg.data);
    return typeof decoded === 'string' ? this.drop() : decoded;
  }

  drop(): undefined {
    this.ns.counters.dropped++;
    return undefined;
  }

  readonly onBeat = (msg: Msg): void => {
    const hb = decodeHeartbeat(msg.data);
    if (hb === undefined) return void this.drop();
    if (hb.id === this.ns.me) return;
    if (hb.hello === true && this.ns.membership.get(hb.id) !== undefined) this.ns.restarted(hb.id);
    this.ns.membership.beat(hb);
    // Answer a newcomer (or a member back from a reconnect) at once, before anything else this
    // member sends it: its acknowledgements count only once it knows this member.
    if (hb.hello === true && this.ns.state !== 'closed') this.ns.beat();
  };

  readonly onDirect = (msg: Msg): void => {
    const from = Subjects.last(msg.subject);
    const opened = this.open(msg);
    const linked = opened === undefined ? undefined : this.ns.linkFor(from);
    if (opened === undefined) return;
    for (const id of opened.acks) this.taken(id, from);
    for (const raw of opened.frames) {
      const f = raw as { k?: unknown; i?: unknown; d?: unknown };
      if ((f?.k === 'ok' || f?.k === 'err') && typeof f.i === 'string') {
        const call = this.ns.anyCalls.get(f.i);
        if (call !== undefined) {
          // A reply to a call to "any member" counts only from the member that took it.
          if (call.taken !== from) this.drop();
          else {
            this.ns.anyCalls.delete(f.i);
            this.ns.any.link.deliver(raw);
          }
          continue;
        }
      }
      if (linked === undefined) {
        this.drop();
        continue;
      }
      if (f?.k === 'call' && typeof f.i === 'string') {
        // A member that does not serve answers at once instead of running anything.
        if (!this.ns.options.serve) {
          linked.link.send({ k: 'err', i: f.i, e: encodeError(new RpcClosedError('this member does not serve calls (serve: false)'), true) });
          continue;
        }
        linked.link.track(f.i, f.d);
      }
      linked.link.deliver(raw);
    }
  };

  taken(callId: string, by: string): void {
    const call = this.ns.anyCalls.get(callId);
    if (call === undefined) {
      // Cancelled, and forgotten, before it was taken: tell the member that took it after all.
      if (this.ns.links.has(by)) this.ns.outbox.push(this.ns.subjects.direct(by, this.ns.me), this.ns.any.link, {}, { k: 'cancel', i: callId, r: 'abort' });
      return;
    }
    if (call.taken !== undefined) return;
    // Only a member of the other side (known from its heartbeats) can take a call: a client that
    // merely saw the call go by and claims it is ignored.
    if (this.ns.membership.get(by)?.side !== this.ns.other) return void this.drop();
    call.taken = by;
    if (call.cancel !== undefined) {
      this.ns.anyCalls.delete(callId);
      this.ns.outbox.push(this.ns.subjects.direct(by, this.ns.me), this.ns.any.link, call.cancel, call.cancel);
    }
  }

  readonly onAny = (msg: Msg): void => {
    const from = Subjects.last(msg.subject);
    const opened = this.open(msg);
    const linked = opened === undefined ? undefined : this.ns.linkFor(from);
    if (opened === undefined || linked === undefined) return void (opened !== undefined && this.drop());
    for (const raw of opened.frames) {
      const f = raw as { k?: unknown; i?: unknown; d?: unknown };
      if (f?.k !== 'call' || typeof f.i !== 'string' || f.i.length > 64) {
        this.drop();
        continue;
      }
      this.ns.outbox.ack(linked.link.subject, linked.link, f.i);
      linked.link.track(f.i, f.d);
      linked.link.deliver(raw);
    }
  };

  readonly onEvent = (msg: Msg): void => {
    const from = Subjects.last(msg.subject);
    if (from === this.ns.me) return;
    const opened = this.open(msg);
    const linked = opened === undefined ? undefined : this.ns.linkFor(from);
    if (opened === undefined || linked === undefined) return void (opened !== undefined && this.drop());
    for (const raw of opened.frames) {
      if ((raw as { k?: unknown })?.k !== 'event') this.drop();
      else linked.link.deliver(raw);
    }
  };

  readonly onStatus = (msg: Msg): void => {
    if (msg.headers?.code !== 503) return;
    const seq = Number(Subjects.last(msg.subject));
    if (Number.isSafeInteger(seq)) this.ns.outbox.noResponders(seq);
  };
}
