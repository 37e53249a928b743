// The drain's `leave` hook (the worker's NATS member): started with the drain, awaited before the exit.
import test from 'ava';
import { Drain } from '../../../src/http/worker/drain.js';
import { LoadMeter } from '../../../src/http/worker/load-meter.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('the leave hook starts with the drain with its deadline, and the exit waits for it', async (t) => {
  const exits: number[] = [];
  const deadlines: number[] = [];
  let left!: () => void;
  const drain = new Drain(new LoadMeter<{ destroy(): void }>(() => 0), {
    stopAccepting: () => {},
    schedule: () => {},
    exit: (code) => void exits.push(code),
    leave: (deadlineMs) => {
      deadlines.push(deadlineMs);
      return new Promise<void>((resolve) => (left = resolve));
    },
  });
  const answer = await drain.start(5_000);
  t.deepEqual(deadlines, [5_000]);
  // The primary has its answer at once; the process stays until the member has left.
  t.deepEqual(answer, { drained: 0, remaining: 0 });
  await tick();
  t.deepEqual(exits, []);
  left();
  await tick();
  t.deepEqual(exits, [0]);
  // A second drain neither leaves again nor exits again.
  await drain.start(5_000);
  await tick();
  t.deepEqual(deadlines, [5_000]);
  t.deepEqual(exits, [0]);
});

test('without a leave hook the drain exits as before', async (t) => {
  const exits: number[] = [];
  const drain = new Drain(new LoadMeter<{ destroy(): void }>(() => 0), { stopAccepting: () => {}, schedule: () => {}, exit: (code) => void exits.push(code) });
  await drain.start(1_000);
  await tick();
  t.deepEqual(exits, [0]);
});
