// Compile-only: proves that contracts type calls, handlers and events end to end. `tsc` fails if
// an @ts-expect-error line stops being an error, or if a valid line stops compiling.
import { z } from 'zod';
import {
  connectPrimary,
  createPrimary,
  defineContract,
  type BroadcastResult,
  type PrimaryHub,
  type Logger,
  type PrimaryLink,
  type WorkerInfo,
} from '../../src/index.js';
import { connectMemoryPair } from '../../src/testing.js';

const chat = defineContract({
  worker: {
    stats: { output: z.object({ pid: z.number(), handled: z.number(), rssBytes: z.number() }) },
    greet: { input: z.object({ name: z.string() }), output: z.string() },
    maybe: { input: z.string().optional(), output: z.number() },
    when: { input: z.object({ at: z.string().transform((s) => new Date(s)) }), output: z.date() },
  },
  primary: {
    log: { input: z.object({ level: z.enum(['info', 'warn']), text: z.string() }) },
  },
  events: {
    configChanged: z.object({ version: z.number() }),
  },
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

declare const hub: PrimaryHub<typeof chat>;
declare const link: PrimaryLink<typeof chat>;

async function calls(): Promise<void> {
  const worker = hub.fork();
  const s = await worker.call('stats');
  assertType<Equal<typeof s, { pid: number; handled: number; rssBytes: number }>>();
  const hello = await worker.call('greet', { name: 'Ada' }, { timeout: 1_000, signal: AbortSignal.timeout(5) });
  assertType<Equal<typeof hello, string>>();
  await worker.call('maybe');
  await worker.call('maybe', 'x');
  // The caller passes the schema's input (a string); the handler gets its output (a Date).
  const when = await worker.call('when', { at: '2026-01-01' });
  assertType<Equal<typeof when, Date>>();
  const logged = await link.call('log', { level: 'info', text: 'up' });
  assertType<Equal<typeof logged, void>>();

  // @ts-expect-error: no such procedure on the worker
  await worker.call('nope');
  // @ts-expect-error: 'log' is the primary's, not the worker's
  await worker.call('log', { level: 'info', text: 'x' });
  // @ts-expect-error: input is required
  await worker.call('greet');
  // @ts-expect-error: wrong input shape
  await worker.call('greet', { name: 1 });
  // @ts-expect-error: extra input on a procedure that takes none
  await worker.call('stats', { any: 1 });
  // @ts-expect-error: level is an enum
  await link.call('log', { level: 'debug', text: 'x' });
  // @ts-expect-error: the worker cannot call its own procedures on the primary
  await link.call('stats');

  const all = await hub.broadcast('stats');
  assertType<Equal<typeof all, BroadcastResult<{ pid: number; handled: number; rssBytes: number }>[]>>();
  const first = all[0];
  if (first?.status === 'fulfilled') assertType<Equal<typeof first.value.pid, number>>();
  // @ts-expect-error: unknown procedure in a broadcast
  await hub.broadcast('nope');
}

function events(): void {
  hub.emit('configChanged', { version: 2 });
  // @ts-expect-error: wrong payload
  hub.emit('configChanged', { version: '2' });
  // @ts-expect-error: unknown event
  hub.emit('nope', {});
  hub.on('configChanged', (payload, ctx) => {
    assertType<Equal<typeof payload, { version: number }>>();
    assertType<Equal<typeof ctx.worker, WorkerInfo>>();
  });
  hub.on('error', (error) => {
    assertType<Equal<typeof error, Error>>();
  });
  link.on('configChanged', ({ version }) => {
    assertType<Equal<typeof version, number>>();
  });
  // @ts-expect-error: unknown event
  link.on('nope', () => {});
}

function handlers(): void {
  createPrimary(chat, {
    handlers: {
      log: ({ level, text }, ctx) => {
        assertType<Equal<typeof level, 'info' | 'warn'>>();
        assertType<Equal<typeof ctx.worker, WorkerInfo>>();
        void text;
      },
    },
  });
  // A logger: console fits, as does any object with info, warn and error taking a message.
  createPrimary(chat, { logger: console, handlers: { log: () => {} } });
  const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
  void connectPrimary(chat, { logger: quiet, handlers: { stats: () => ({ pid: 1, handled: 0, rssBytes: 0 }), greet: ({ name }) => name, maybe: () => 1, when: ({ at }) => at } });
  // @ts-expect-error: a logger needs error too
  createPrimary(chat, { logger: { info: () => {}, warn: () => {} }, handlers: { log: () => {} } });
  // @ts-expect-error: the primary serves 'log', so its handler is required
  createPrimary(chat, {});
  // @ts-expect-error: the primary serves 'log', so options with handlers are required
  createPrimary(chat);
  createPrimary(chat, {
    handlers: {
      // @ts-expect-error: the handler declares an input type the schema does not produce
      log: (input: { level: number }) => void input,
    },
  });

  connectPrimary(chat, {
    handlers: {
      stats: () => ({ pid: 1, handled: 0, rssBytes: 0 }),
      greet: async ({ name }, ctx) => {
        ctx.signal.throwIfAborted();
        return `hello ${name}`;
      },
      maybe: (input) => (input === undefined ? 0 : input.length),
      when: ({ at }) => {
        assertType<Equal<typeof at, Date>>();
        return at;
      },
    },
  });
  connectPrimary(chat, {
    // @ts-expect-error: 'greet', 'maybe' and 'when' have no handler
    handlers: { stats: () => ({ pid: 1, handled: 0, rssBytes: 0 }) },
  });
  connectPrimary(chat, {
    handlers: {
      // @ts-expect-error: the handler returns the wrong type
      stats: () => ({ pid: 'x', handled: 0, rssBytes: 0 }),
      greet: ({ name }) => name,
      maybe: () => 1,
      when: ({ at }) => at,
    },
  });

  // A contract whose primary serves nothing needs no primary handlers.
  const oneWay = defineContract({ worker: { ping: {} } });
  createPrimary(oneWay);
  const pair = connectMemoryPair(oneWay, { worker: { handlers: { ping: () => {} } } });
  void pair.primary.call('ping');

  // The memory pair's primary handlers get the hub's context: ctx.worker, typed.
  connectMemoryPair(chat, {
    primary: {
      handlers: {
        log: ({ text }, ctx) => {
          assertType<Equal<typeof ctx.worker, WorkerInfo>>();
          void `${ctx.worker.id} ${ctx.worker.pid ?? '?'} ${text}`;
        },
      },
    },
    worker: { handlers: { stats: () => ({ pid: 1, handled: 0, rssBytes: 0 }), greet: ({ name }) => name, maybe: () => 1, when: ({ at }) => at } },
    workerInfo: { id: 2, pid: 1234 },
  });
  // @ts-expect-error workerInfo needs an id
  connectMemoryPair(chat, { workerInfo: { pid: 1 } });
}

void calls;
void events;
void handlers;
