// The member state machine and the planned-versus-crash rule, without processes.
import test from 'ava';
import { nextState, restartsAfterExit, stepOutcome, type ExitContext, type MemberEvent } from '../../../src/http/primary/member.js';
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

const crash: ExitContext = { planned: false, stopping: false, booting: false, wasStarting: false, occupant: true, successorPending: false };

test('a crash of the worker that fills its slot is restarted', (t) => {
  t.true(restartsAfterExit(crash));
  t.true(restartsAfterExit({ ...crash, wasStarting: true }), 'a crash replacement that dies while starting is a crash too');
});

test('a planned exit, or any exit while the cluster stops, is not restarted', (t) => {
  t.false(restartsAfterExit({ ...crash, planned: true }));
  t.false(restartsAfterExit({ ...crash, stopping: true }));
});

test('while the cluster boots, a worker that never became ready fails the start instead of restarting', (t) => {
  t.false(restartsAfterExit({ ...crash, booting: true, wasStarting: true }));
  t.true(restartsAfterExit({ ...crash, booting: true, wasStarting: false }), 'one that was ready and crashed is restarted');
});

test('a rollout successor that dies while starting is not restarted: it never filled the slot', (t) => {
  t.false(restartsAfterExit({ ...crash, occupant: false, wasStarting: true }));
});

test('an old worker that crashes while its successor starts is not restarted: the successor fills the slot', (t) => {
  t.false(restartsAfterExit({ ...crash, successorPending: true }));
});

test('a rollout successor that crashes once ready fills the slot: it is restarted like any crash', (t) => {
  t.true(restartsAfterExit({ ...crash, occupant: true, wasStarting: false }));
});

test('a rollout step retires the old worker once the new one is ready, and aborts otherwise', (t) => {
  t.is(stepOutcome(true, true), 'retire');
  t.is(stepOutcome(true, false), 'retire', 'an old worker that crashed meanwhile has nothing left to drain');
  t.is(stepOutcome(false, true), 'abort', 'the old worker keeps serving its slot');
  t.is(stepOutcome(false, false), 'abort-and-restart', 'nobody fills the slot: the restart policy refills it');
});
