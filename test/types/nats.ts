// Compile-only: a NATS member types its calls, handlers, broadcasts and events from the contract,
// exactly as the hub and the link do.
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { defineContract } from '../../src/index.js';
import { joinNamespace, type MemberInfo, type NatsBroadcastResult } from '../../src/nats/index.js';

const shop = defineContract({
  worker: {
    stats: { output: z.object({ pid: z.number() }) },
    greet: { input: z.object({ name: z.string() }), output: z.string() },
  },
  primary: { log: { input: z.string() } },
  events: { announce: z.object({ text: z.string() }) },
});

declare const nc: NatsConnection;

export async function typed(): Promise<void> {
  const worker = await joinNamespace(nc, shop, {
    namespace: 'shop',
    side: 'worker',
    handlers: {
      stats: (_input, ctx) => ({ pid: ctx.member.id.length }),
      greet: ({ name }, ctx) => `${name} ${ctx.signal.aborted} ${ctx.method}`,
    },
  });
  const admin = await joinNamespace(nc, shop, { namespace: 'shop', side: 'primary', handlers: { log: (text) => void text.toUpperCase() } });
  const greeting: string = await admin.call('greet', { name: 'Ada' }, { timeout: 1_000 });
  const pid: number = (await admin.member('id')!.call('stats')).pid;
  const all: NatsBroadcastResult<{ pid: number }>[] = await admin.broadcast('stats', undefined, { timeout: 1_000 });
  await worker.call('log', 'up');
  admin.emit('announce', { text: 'hi' });
  worker.on('announce', ({ text }, ctx) => void `${text} ${ctx.member.id}`);
  admin.onMembers('left', (m: MemberInfo, why) => void `${m.host} ${why.reason}`);
  void [greeting, pid, all];

  // @ts-expect-error a worker member calls the primary side, not the worker's
  await worker.call('greet', { name: 'x' });
  // @ts-expect-error the input is checked
  await admin.call('greet', { name: 1 });
  // @ts-expect-error an unknown event
  admin.emit('nope', {});
  // @ts-expect-error a handler is missing
  await joinNamespace(nc, shop, { namespace: 'shop', side: 'worker', handlers: { stats: () => ({ pid: 1 }) } });
}

export async function handlersRequired(): Promise<void> {
  // @ts-expect-error the worker side serves procedures: its handlers are required
  await joinNamespace(nc, shop, { namespace: 'shop', side: 'worker' });
  const noPrimaryProcedures = defineContract({ worker: { ping: {} }, primary: {}, events: {} });
  await joinNamespace(nc, noPrimaryProcedures, { namespace: 'shop', side: 'primary' });
}
