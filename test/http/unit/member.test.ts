// The member state machine and the planned-versus-crash rule, without processes.
import test from 'ava';
import { nextState, restartsAfterExit, type ExitContext, type MemberEvent } from '../../../src/http/primary/member.js';
import type { WorkerState } from '../../../src/http/index.js';

const EVENTS: readonly MemberEvent[] = ['listening', 'readyTimedOut', 'unresponsive', 'retired', 'exited'];

test('a starting worker becomes ready when it listens, draining when it times out or is retired, gone when it exits', (t) => {
  t.is(nextState('starting', 'listening'), 'ready');
  t.is(nextState('starting', 'readyTimedOut'), 'draining');
  t.is(nextState('starting', 'retired'), 'draining');
  t.is(nextState('starting', 'exited'), 'gone');
  t.is(nextState('starting', 'unresponsive'), undefined, 'only a ready worker is pinged');
});

test('a ready worker drains when it stops answering or is retired, and ignores a late listening or ready timeout', (t) => {
  t.is(nextState('ready', 'unresponsive'), 'draining');
  t.is(nextState('ready', 'retired'), 'draining');
  t.is(nextState('ready', 'exited'), 'gone');
  t.is(nextState('ready', 'listening'), undefined);
  t.is(nextState('ready', 'readyTimedOut'), undefined);
});

test('a draining worker never becomes ready again: a late listening cannot revive a dying worker', (t) => {
  t.is(nextState('draining', 'listening'), undefined);
  t.is(nextState('draining', 'unresponsive'), undefined);
  t.is(nextState('draining', 'readyTimedOut'), undefined);
  t.is(nextState('draining', 'retired'), 'draining');
  t.is(nextState('draining', 'exited'), 'gone');
});

test('gone is final: every event is ignored', (t) => {
  for (const event of EVENTS) t.is(nextState('gone', event), undefined, event);
});

test('every state reaches gone by exiting, except gone itself', (t) => {
  const states: WorkerState[] = ['starting', 'ready', 'draining'];
  for (const state of states) t.is(nextState(state, 'exited'), 'gone', state);
});

const crash: ExitContext = { planned: false, stopping: false, booting: false, wasStarting: false, succeeded: false };

test('a crash of a serving worker is restarted', (t) => {
  t.true(restartsAfterExit(crash));
  t.true(restartsAfterExit({ ...crash, wasStarting: true }), 'a replacement that dies while starting is a crash too');
});

test('a planned exit, or any exit while the cluster stops, is not restarted', (t) => {
  t.false(restartsAfterExit({ ...crash, planned: true }));
  t.false(restartsAfterExit({ ...crash, stopping: true }));
});

test('while the cluster boots, a worker that never became ready fails the start instead of restarting', (t) => {
  t.false(restartsAfterExit({ ...crash, booting: true, wasStarting: true }));
  t.true(restartsAfterExit({ ...crash, booting: true, wasStarting: false }), 'one that was ready and crashed is restarted');
});

test('a worker whose slot already has a successor is not replaced twice', (t) => {
  t.false(restartsAfterExit({ ...crash, succeeded: true }));
});
