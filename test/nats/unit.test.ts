// The pure parts of the NATS layer, without a server: membership on an injected clock, the outbox's
// batching and splitting, the wire's guards, and option checks.
import test from 'ava';
import { RpcNoWorkerError, RpcPayloadTooLargeError, RpcRemoteError } from '../../src/index.js';
import { Membership, type LeftReason } from '../../src/nats/membership.js';
import { resolveNatsOptions } from '../../src/nats/options.js';
import { Outbox, type Route } from '../../src/nats/outbox.js';
import { decode, decodeHeartbeat, encode, localError, Subjects, translate, type Heartbeat } from '../../src/nats/wire.js';

const beat = (id: string, state: Heartbeat['state'] = 'up'): Heartbeat => ({ id, side: 'worker', host: 'h', pid: 1, label: '', serves: true, since: 0, load: 0, state });

test('membership: a heartbeat joins, a goodbye leaves for good, silence leaves after the timeout', (t) => {
  let now = 0;
  const events: string[] = [];
  const m = new Membership(1_000, () => now, (i) => events.push(`joined ${i.id}`), (i, r: LeftReason) => events.push(`left ${i.id} ${r}`));
  t.true(m.beat(beat('a')));
  t.false(m.beat(beat('a')));
  m.beat(beat('b'));
  now = 900;
  m.beat(beat('a'));
  now = 1_500;
  m.sweep();
  m.beat(beat('a', 'bye'));
  t.false(m.beat(beat('a')), 'a member that said goodbye does not come back');
  t.deepEqual(events, ['joined a', 'joined b', 'left b silent', 'left a goodbye']);
  t.is(m.size, 0);
});

function fakeNats(): { published: { subject: string; data: Uint8Array; reply?: string }[]; publish: (s: string, d: Uint8Array, o?: { reply?: string }) => void } {
  const published: { subject: string; data: Uint8Array; reply?: string }[] = [];
  return { published, publish: (subject, data, o) => void published.push({ subject, data, ...(o?.reply ? { reply: o.reply } : {}) }) };
}

function route(): Route & { errors: Error[]; noReply: string[] } {
  const errors: Error[] = [];
  const noReply: string[] = [];
  return { errors, noReply, noResponders: (ids) => void noReply.push(...ids), refused: (_f, e) => void errors.push(e) };
}

test('outbox: frames of one tick travel as one message; calls ask for the no-responders status', async (t) => {
  const nc = fakeNats();
  const box = new Outbox(nc, 'json', Subjects.of('ns'), 'me', 10_000);
  const r = route();
  box.push('s.one', r, {}, { k: 'call', i: 'c1', m: 'x' }, 'c1');
  box.push('s.one', r, {}, { k: 'call', i: 'c2', m: 'x' }, 'c2');
  box.push('s.two', r, {}, { k: 'event', m: 'e' });
  t.is(box.backlog, 3);
  await Promise.resolve();
  t.is(nc.published.length, 2);
  t.is(nc.published[0]!.reply, 'crpc.ns.s.me.1');
  t.is(nc.published[1]!.reply, undefined);
  t.like(decode('json', nc.published[0]!.data), { frames: [{ i: 'c1' }, { i: 'c2' }] });
  box.noResponders(1);
  box.noResponders(1);
  t.deepEqual(r.noReply, ['c1', 'c2']);
});

test('outbox: a batch over the limit is split, and a single frame over it is refused as too large', (t) => {
  const nc = fakeNats();
  const box = new Outbox(nc, 'json', Subjects.of('ns'), 'me', 400);
  const r = route();
  for (let i = 0; i < 10; i++) box.push('s', r, {}, { k: 'ok', i: `r${i}`, p: 'x'.repeat(100) });
  box.push('s', r, {}, { k: 'ok', i: 'big', p: 'x'.repeat(1_000) });
  box.ack('s', r, 'a1');
  box.flush();
  t.true(nc.published.length > 1);
  t.true(nc.published.every((m) => m.data.byteLength <= 400));
  const frames = nc.published.flatMap((m) => (decode('json', m.data) as unknown as { frames: { i: string }[] }).frames.map((f) => f.i));
  t.deepEqual(frames, Array.from({ length: 10 }, (_, i) => `r${i}`));
  t.deepEqual(nc.published.flatMap((m) => (decode('json', m.data) as unknown as { acks: string[] }).acks), ['a1']);
  t.is(r.errors.length, 1);
  t.true(r.errors[0] instanceof RpcPayloadTooLargeError);
});

test('wire: junk is described, never thrown; acknowledgements and heartbeats are checked', (t) => {
  const bytes = (s: string): Uint8Array => Buffer.from(s);
  t.is(typeof decode('json', bytes('nope')), 'string');
  t.is(typeof decode('json', bytes('{"~crpc":1,"f":[],"a":[1]}')), 'string');
  t.is(typeof decode('advanced', bytes('{"~crpc":1,"f":[]}')), 'string');
  t.deepEqual(decode('advanced', encode('advanced', [{ k: 'bye' }], ['x'])), { frames: [{ k: 'bye' }], acks: ['x'] });
  t.is(decodeHeartbeat(bytes(JSON.stringify({ v: 1, ...beat('bad id!') }))), undefined);
  t.is(decodeHeartbeat(bytes(JSON.stringify({ v: 1, ...beat('ok'), pid: 1.5 }))), undefined);
  t.like(decodeHeartbeat(bytes(JSON.stringify({ v: 1, ...beat('ok'), hello: true }))), { id: 'ok', hello: true });
});

test('wire: only errors raised on this side are turned back into their class', (t) => {
  const local = localError(new RpcNoWorkerError('nobody'));
  const rebuilt = translate(new RpcRemoteError('m', { name: local.name, message: local.message, code: local.code, data: local.data as Record<string, unknown> }), 'm');
  t.true(rebuilt instanceof RpcNoWorkerError);
  const forged = new RpcRemoteError('m', { name: 'RpcNoWorkerError', message: 'x', code: 'RPC_NO_WORKER', data: { '~nats': 'guess' } });
  t.is(translate(forged, 'm'), forged);
});

test('options: the namespace, side and heartbeats are checked at join', (t) => {
  const ok = { namespace: 'shop', side: 'worker' } as const;
  t.like(resolveNatsOptions('j', ok, []), { heartbeatInterval: 1_000, heartbeatTimeout: 3_500, serialization: 'json' });
  t.throws(() => resolveNatsOptions('j', { ...ok, namespace: 'a.b' }, []), { instanceOf: TypeError, message: /namespace/ });
  t.throws(() => resolveNatsOptions('j', { ...ok, side: 'both' as never }, []), { message: /side/ });
  t.throws(() => resolveNatsOptions('j', { ...ok, heartbeatInterval: 1_000, heartbeatTimeout: 500 }, []), { message: /heartbeatTimeout/ });
  t.throws(() => resolveNatsOptions('j', { ...ok, nope: 1 } as never, []), { message: /unknown option "nope"/ });
});
