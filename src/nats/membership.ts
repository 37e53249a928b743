// Who is in the namespace, from heartbeats: joins, goodbyes, and members gone silent. Pure
// bookkeeping on an injected clock; the namespace decides what a join or a departure does.
import type { Side } from '../endpoint/setup.js';
import type { Heartbeat } from './wire.js';

/**
 * Another member of the namespace, as its heartbeats describe it.
 * @public
 */
export interface MemberInfo {
  /** The member's id, unique for the life of its process's membership. */
  readonly id: string;
  /** The side of the contract it serves. */
  readonly side: Side;
  /** Its machine's host name. */
  readonly host: string;
  /** Its process id. */
  readonly pid: number;
  /** The label it joined with. */
  readonly label: string;
  /** Whether it takes calls; `false` for a member that only calls and listens (`serve: false`). */
  readonly serves: boolean;
  /** When it joined, in milliseconds since the epoch (its clock). */
  readonly since: number;
  /** When its last heartbeat arrived, in milliseconds since the epoch (this process's clock). */
  readonly lastSeen: number;
  /** Incoming calls it was handling at its last heartbeat. */
  readonly load: number;
  /** `'up'`, or `'draining'` once it takes no new calls. */
  readonly state: 'up' | 'draining';
}

/**
 * Why a member left: it said goodbye, its heartbeats stopped, the server said nobody listens on
 * its subject, or this process lost its own connection.
 * @public
 */
export type LeftReason = 'goodbye' | 'silent' | 'unreachable' | 'disconnected';

interface Entry {
  info: MemberInfo;
  heardAt: number;
}

const MAX_TOMBSTONES = 4_096;

export class Membership {
  readonly #members = new Map<string, Entry>();
  /** Members that said goodbye: a late heartbeat of theirs must not bring them back. */
  readonly #gone = new Set<string>();

  constructor(
    readonly timeout: number,
    readonly now: () => number,
    readonly onJoined: (info: MemberInfo) => void,
    readonly onLeft: (info: MemberInfo, reason: LeftReason) => void,
  ) {}

  get size(): number {
    return this.#members.size;
  }

  get(id: string): MemberInfo | undefined {
    return this.#members.get(id)?.info;
  }

  list(): MemberInfo[] {
    return [...this.#members.values()].map((e) => e.info);
  }

  /** Whether `id` said goodbye. */
  isGone(id: string): boolean {
    return this.#gone.has(id);
  }

  /** Applies a heartbeat. Returns true when it announced a member new to this one. */
  beat(hb: Heartbeat): boolean {
    if (this.#gone.has(hb.id)) return false;
    if (hb.state === 'bye') {
      this.#tombstone(hb.id);
      this.leave(hb.id, 'goodbye');
      return false;
    }
    const { id, side, host, pid, label, serves, since, load, state } = hb;
    const info: MemberInfo = Object.freeze({ id, side, host, pid, label, serves, since, load, state, lastSeen: Date.now() });
    const entry = this.#members.get(id);
    if (entry !== undefined) {
      entry.info = info;
      entry.heardAt = this.now();
      return false;
    }
    this.#members.set(id, { info, heardAt: this.now() });
    this.onJoined(info);
    return true;
  }

  /** Removes a member now; `onLeft` is told. */
  leave(id: string, reason: LeftReason): void {
    const entry = this.#members.get(id);
    if (entry === undefined) return;
    this.#members.delete(id);
    this.onLeft(entry.info, reason);
  }

  /** Removes members whose last heartbeat is older than the timeout. */
  sweep(): void {
    const limit = this.now() - this.timeout;
    for (const [id, entry] of [...this.#members]) if (entry.heardAt < limit) this.leave(id, 'silent');
  }

  /** Forgets every member (this process lost its connection). */
  clear(reason: LeftReason): void {
    for (const id of [...this.#members.keys()]) this.leave(id, reason);
  }

  #tombstone(id: string): void {
    if (this.#gone.size >= MAX_TOMBSTONES) this.#gone.delete(this.#gone.values().next().value!);
    this.#gone.add(id);
  }
}
