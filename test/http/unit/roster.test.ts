// The roster: members by id, and which member fills each slot, across exits and reloads.
import test from 'ava';
import { Roster } from '../../../src/http/primary/roster.js';
import type { Member } from '../../../src/http/primary/member.js';

const member = (id: number, slot: number, state: Member['state'] = 'ready') => ({ handle: { id }, slot, state }) as unknown as Member;

test('a rollout successor is known by id but fills its slot only once promoted', (t) => {
  const roster = new Roster();
  const old = member(1, 0);
  const fresh = member(2, 0, 'starting');
  roster.add(old);
  roster.addSuccessor(fresh);
  t.is(roster.occupant(0), old, 'the old worker keeps the slot while the new one starts');
  t.is(roster.successor(0), fresh);
  t.deepEqual(roster.all(), [old, fresh]);
  t.true(roster.promote(fresh));
  t.is(roster.occupant(0), fresh);
  t.is(roster.successor(0), undefined);
  roster.remove(old);
  t.true(roster.filled(0), 'the old worker leaving does not free the slot its successor fills');
  t.deepEqual(roster.all(), [fresh]);
});

test('a successor that dies before it is ready leaves the old worker in its slot: never N+1, never N-1', (t) => {
  const roster = new Roster();
  const old = member(1, 0);
  const fresh = member(2, 0, 'starting');
  roster.add(old);
  roster.addSuccessor(fresh);
  roster.remove(fresh);
  t.is(roster.occupant(0), old);
  t.is(roster.successor(0), undefined);
  t.false(roster.promote(fresh), 'a dead successor cannot be promoted later');
  t.deepEqual(roster.occupants(), [old]);
});

test('an old worker that crashes while its successor starts frees the slot, which the successor then takes', (t) => {
  const roster = new Roster();
  const old = member(1, 0);
  const fresh = member(2, 0, 'starting');
  roster.add(old);
  roster.addSuccessor(fresh);
  roster.remove(old);
  t.false(roster.filled(0));
  t.true(roster.promote(fresh));
  t.deepEqual(roster.occupants(), [fresh]);
});

test('occupants come in slot order', (t) => {
  const roster = new Roster();
  const b = member(1, 1);
  const a = member(2, 0);
  roster.add(b);
  roster.add(a);
  t.deepEqual(roster.occupants(), [a, b]);
});

test('members are found by state, and live ones are those not gone', (t) => {
  const roster = new Roster();
  const a = member(1, 0, 'ready');
  const b = member(2, 1, 'draining');
  const c = member(3, 2, 'gone');
  for (const m of [a, b, c]) roster.add(m);
  t.deepEqual(roster.inState('ready'), [a]);
  t.deepEqual(roster.live(), [a, b]);
});
