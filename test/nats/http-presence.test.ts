// One cluster process's presence in the namespace, without NATS: a failed join is logged and only
// rejects app.nats; a leave drains the member and closes the connection the factory opened, bounded.
import test from 'ava';
import { NatsPresence } from '../../src/http/nats-presence.js';
import type { HttpNatsConnection, ResolvedHttpNats } from '../../src/http/nats-options.js';

function sink() {
  const lines: string[] = [];
  return { lines, logger: { info: (m: string) => void lines.push(`info ${m}`), warn: (m: string) => void lines.push(`warn ${m}`), error: (m: string) => void lines.push(`error ${m}`) } };
}

function fakeConnection() {
  let closed = false;
  const nc: HttpNatsConnection = {
    subscribe: () => undefined,
    isClosed: () => closed,
    close: async () => void (closed = true),
    closed: () => new Promise(() => {}),
  };
  return { nc, isClosed: () => closed };
}

const nats = (closeConnection = true): ResolvedHttpNats => ({ connect: async () => fakeConnection().nc, namespace: 'ns', member: {}, closeConnection });

test('a failed join is logged, rejects member, closes the connection it opened, and leaves at once', async (t) => {
  const { lines, logger } = sink();
  const conn = fakeConnection();
  const presence = new NatsPresence<{ drain(): Promise<void> }>(
    async (opened) => {
      opened(conn.nc);
      throw new Error('no route to nats');
    },
    nats(),
    logger,
    'worker 7',
  );
  await t.throwsAsync(presence.member, { message: 'no route to nats' });
  t.true(conn.isClosed());
  t.is(lines.length, 1);
  t.regex(lines[0]!, /^error typed-cluster-rpc: worker 7 could not join NATS namespace "ns" \(it serves HTTP still\): no route to nats$/);
  await presence.leave(1_000);
});

test('leave drains the member with the deadline, stops watching, and closes the connection unless told not to', async (t) => {
  for (const closeConnection of [true, false]) {
    const conn = fakeConnection();
    const drained: (number | undefined)[] = [];
    let unwatched = 0;
    const member = { drain: async (o?: { timeout?: number }) => void drained.push(o?.timeout) };
    const presence = new NatsPresence(
      async (opened) => {
        opened(conn.nc);
        return { member, unwatch: () => void unwatched++ };
      },
      nats(closeConnection),
      sink().logger,
      'the primary',
    );
    t.is(await presence.member, member);
    await presence.leave(2_500);
    await presence.leave(2_500);
    t.deepEqual(drained, [2_500]);
    t.is(unwatched, 1);
    t.is(conn.isClosed(), closeConnection);
  }
});

test('leave is bounded by its deadline when the join never ends', async (t) => {
  const presence = new NatsPresence<{ drain(): Promise<void> }>(() => new Promise(() => {}), nats(), sink().logger, 'worker 1');
  const started = performance.now();
  await presence.leave(50);
  t.true(performance.now() - started < 10_000);
});
