// The roster: members by id, and which member fills each slot, across exits and reloads.
import test from 'ava';
import { Roster } from '../../../src/http/primary/roster.js';
import type { Member } from '../../../src/http/primary/member.js';

const member = (id: number, slot: number, state: Member['state'] = 'ready') => ({ handle: { id }, slot, state }) as unknown as Member;

test('a successor forked by a reload keeps its slot when the old worker exits', (t) => {
  const roster = new Roster();
  const old = member(1, 0);
  const fresh = member(2, 0, 'starting');
  roster.add(old);
  roster.add(fresh);
  t.is(roster.occupants()[0], fresh);
  roster.remove(old);
  t.true(roster.filled(0));
  t.deepEqual(roster.all(), [fresh]);
});

test('an exit frees the slot of the member that filled it, and restore puts an old one back', (t) => {
  const roster = new Roster();
  const old = member(1, 0);
  const fresh = member(2, 0, 'starting');
  roster.add(old);
  roster.add(fresh);
  roster.remove(fresh);
  t.false(roster.filled(0));
  roster.restore(old);
  t.deepEqual(roster.occupants(), [old]);
  t.is(roster.get(1), old);
  t.is(roster.get(2), undefined);
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
