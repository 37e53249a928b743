import test from 'ava';
import { gather, type BroadcastTarget } from '../../src/cluster/broadcast.js';

function target(id: number, answer: (signal: AbortSignal | undefined) => Promise<unknown>): BroadcastTarget<{ id: number }> {
  return { info: { id }, call: (_method, _input, options) => answer((options as { signal?: AbortSignal } | undefined)?.signal) };
}

test('one settled entry per target, in the targets order, whatever each did', async (t) => {
  const results = await gather(
    [target(1, async () => 'one'), target(2, async () => Promise.reject(new Error('two'))), target(3, async () => 3)],
    'm',
    undefined,
    undefined,
  );
  t.deepEqual(
    results.map((r) => [r.worker.id, r.status]),
    [
      [1, 'fulfilled'],
      [2, 'rejected'],
      [3, 'fulfilled'],
    ],
  );
  t.true(results.every((r) => r.ms >= 0));
});

test("the caller's signal gets one listener whatever the number of targets, and aborts every call", async (t) => {
  const controller = new AbortController();
  let listeners = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
  const waitForAbort = (signal: AbortSignal | undefined): Promise<unknown> =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
  const targets = Array.from({ length: 20 }, (_, i) => target(i, waitForAbort));
  const gathering = gather(targets, 'm', undefined, { signal: controller.signal });
  controller.abort(new Error('stop'));
  const results = await gathering;
  t.is(listeners, 1);
  t.true(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'stop'));
});
