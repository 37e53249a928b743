// Who the supervisor knows: every member by worker id, the member that fills each slot, and a
// rollout's new worker for a slot while it starts (it fills the slot only once promoted).
import type { Member } from './member.js';

/** The supervisor's members, by worker id and by slot. */
export class Roster {
  readonly #byId = new Map<number, Member>();
  readonly #bySlot = new Map<number, Member>();
  readonly #successors = new Map<number, Member>();

  /** A new member that fills its slot at once (the first workers, a crash's replacement). */
  add(member: Member): void {
    this.#byId.set(member.handle.id, member);
    this.#bySlot.set(member.slot, member);
  }

  /** A rollout's new member: known by its id, but the slot stays its predecessor's until {@link promote}. */
  addSuccessor(member: Member): void {
    this.#byId.set(member.handle.id, member);
    this.#successors.set(member.slot, member);
  }

  /** The successor became ready: it now fills its slot. */
  promote(member: Member): boolean {
    if (this.#successors.get(member.slot) !== member) return false;
    this.#successors.delete(member.slot);
    this.#bySlot.set(member.slot, member);
    return true;
  }

  /** A member exited: forgotten, and its slot freed if it filled it. */
  remove(member: Member): void {
    this.#byId.delete(member.handle.id);
    if (this.#bySlot.get(member.slot) === member) this.#bySlot.delete(member.slot);
    if (this.#successors.get(member.slot) === member) this.#successors.delete(member.slot);
  }

  get(id: number): Member | undefined {
    return this.#byId.get(id);
  }

  /** The member that fills the slot, if any. */
  occupant(slot: number): Member | undefined {
    return this.#bySlot.get(slot);
  }

  /** Whether some member fills the slot. */
  filled(slot: number): boolean {
    return this.#bySlot.has(slot);
  }

  /** The rollout's new worker for the slot, while it starts. */
  successor(slot: number): Member | undefined {
    return this.#successors.get(slot);
  }

  /** The members that fill the slots, by slot. */
  occupants(): Member[] {
    return [...this.#bySlot.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
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
