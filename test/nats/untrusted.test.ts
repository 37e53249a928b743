// Untrusted traffic on a namespace's subjects: a raw NATS client publishing junk, spoofed replies
// and prototype-polluting keys. Everything is dropped and counted, nothing throws, members go on.
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, freshNamespace, joinPrimary, joinWorker, knows, withTimeout } from './helpers.js';

let server: NatsServer;
test.before(async () => {
  server = await startNatsServer(undefined);
});
test.after.always(() => server?.stop());

test('junk on every subject of the namespace is dropped and counted, and no key reaches Object.prototype', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [worker.id]);
  const errors: Error[] = [];
  worker.on('error', (e) => void errors.push(e));
  primary.on('error', (e) => void errors.push(e));
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  const junk = [
    'not json',
    '{"truncated":',
    '[]',
    'null',
    '{"~crpc": 2, "f": []}',
    '{"~crpc": 1, "f": "nope"}',
    '{"~crpc": 1, "f": [1, null, "x", {"k": "nope"}]}',
    '{"~crpc": 1, "f": [{"k": "call", "i": "p1", "m": "echo", "p": {"__proto__": {"polluted": true}}}], "a": [{"__proto__": 1}]}',
    '{"__proto__": {"polluted": true}, "~crpc": 1, "f": [{"k": "event", "m": "ping", "p": {"n": "NaN"}}]}',
    JSON.stringify({ v: 1, id: 'x'.repeat(100), side: 'worker' }),
    JSON.stringify({ v: 1, id: 'ok-id', side: 'both', host: 'h', pid: 1, label: '', since: 0, load: 0, state: 'up' }),
  ];
  const subjects = [`crpc.${ns}.hb`, `crpc.${ns}.q.worker.intruder`, `crpc.${ns}.m.${worker.id}.intruder`, `crpc.${ns}.e.intruder`, `crpc.${ns}.s.${worker.id}.1`];
  for (const subject of subjects) for (const data of junk) raw.publish(subject, data);
  raw.publish(`crpc.${ns}.m.${worker.id}.bad.token.here`, 'x');
  raw.publish(`crpc.${ns}.q.worker.intruder`, new Uint8Array([0xff, 0x0f, 0x00]));
  await raw.flush();
  await eventually(() => worker.stats().dropped >= 20, 10_000, 'the junk to be dropped');
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
  t.is(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  t.false(worker.members().some((m) => m.id === 'ok-id'), 'a heartbeat with a bad side is not a member');
  t.true((await primary.call('stats')).handled >= 1, 'the worker still answers');
  t.true(errors.every((e) => e instanceof Error));
});

test('a reply to a call to any member is accepted only from the member that took it', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [worker.id]);
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  // The intruder sees the call (subjects are open to every client the server admits) …
  const seen = new Promise<string>((resolve) => {
    raw.subscribe(`crpc.${ns}.q.worker.*`, { callback: (_e, msg) => resolve(JSON.parse(msg.string()).f[0].i) });
  });
  await raw.flush();
  const pending = primary.call('sleep', { ms: 1_500 });
  const id = await withTimeout(seen, 10_000, 'the intruder to see the call');
  // … and answers first, claiming to have taken it, under its own id.
  raw.publish(`crpc.${ns}.m.${primary.id}.intruder`, JSON.stringify({ '~crpc': 1, f: [{ k: 'ok', i: id, p: { aborted: 'forged' } }], a: [id] }));
  await raw.flush();
  t.deepEqual(await withTimeout(pending, 10_000, 'the real answer'), { aborted: false });
  t.true(primary.stats().dropped >= 1);
});

test('a reply to a call to one member is accepted only from that member', async (t) => {
  const ns = freshNamespace();
  const nc = await connectTo(t, server.url);
  const worker = await joinWorker(t, nc, ns);
  const primary = await joinPrimary(t, nc, ns);
  await knows(primary, [worker.id]);
  const raw = await connect({ servers: server.url });
  t.teardown(() => raw.close());
  const seen = new Promise<string>((resolve) => {
    raw.subscribe(`crpc.${ns}.m.${worker.id}.*`, { callback: (_e, msg) => resolve(JSON.parse(msg.string()).f[0].i) });
  });
  await raw.flush();
  const pending = primary.member(worker.id)!.call('sleep', { ms: 1_500 });
  const id = await withTimeout(seen, 10_000, 'the intruder to see the call');
  raw.publish(`crpc.${ns}.m.${primary.id}.intruder`, JSON.stringify({ '~crpc': 1, f: [{ k: 'ok', i: id, p: { aborted: 'forged' } }] }));
  await raw.flush();
  t.deepEqual(await withTimeout(pending, 10_000, 'the real answer'), { aborted: false });
  t.true(primary.stats().lateReplies >= 1, 'the forged reply found no call of its sender');
});
