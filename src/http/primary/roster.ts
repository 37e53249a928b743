// Who the supervisor knows: every member by worker id, and the member that fills each slot.
import type { Member } from './member.js';

/** The supervisor's members, by worker id and by slot. */
export class Roster {
  readonly #byId = new Map<number, Member>();
  readonly #bySlot = new Map<number, Member>();

  /** A new member: known by its id, and now the one that fills its slot. */
  add(member: Member): void {
    this.#byId.set(member.handle.id, member);
    this.#bySlot.set(member.slot, member);
  }

  /** A member exited: forgotten, and its slot freed unless a successor already fills it. */
  remove(member: Member): void {
    this.#byId.delete(member.handle.id);
    if (this.#bySlot.get(member.slot) === member) this.#bySlot.delete(member.slot);
  }

  /** Puts a member back in its slot (a reload whose new worker failed). */
  restore(member: Member): void {
    this.#bySlot.set(member.slot, member);
  }

  get(id: number): Member | undefined {
    return this.#byId.get(id);
  }

  /** Whether some member fills the slot. */
  filled(slot: number): boolean {
    return this.#bySlot.has(slot);
  }

  /** The members that fill the slots (a slot freed and filled again moves to the end). */
  occupants(): Member[] {
    return [...this.#bySlot.values()];
  }

  /** Every member known, in fork order. */
  all(): Member[] {
    return [...this.#byId.values()];
  }

  /** The members in one state. */
  inState(state: Member['state']): Member[] {
    return this.all().filter((m) => m.state === state);
  }

  /** The members that have not exited. */
  live(): Member[] {
    return this.all().filter((m) => m.state !== 'gone');
  }
}
