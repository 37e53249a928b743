// Shared by the NATS tests: a server per test file, connections and members that are closed in
// teardown, and bounded waits on membership.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection, type ConnectionOptions } from '@nats-io/transport-node';
import type { ExecutionContext } from 'ava';
import { joinNamespace, type JoinOptions, type NatsMember } from '../../src/nats/index.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers, workerHandlers } from '../fixtures/handlers.js';
import { eventually } from '../fixtures/nats-server.js';
import { isAlive, withTimeout } from '../fixtures/process.js';

export type TC = typeof testContract;
export type Worker = NatsMember<TC, 'worker'>;
export type Primary = NatsMember<TC, 'primary'>;

// Quick enough for the tests that wait for a silent member to lapse, slow enough that a busy
// machine pausing this process for a second does not make live members look dead.
export const FAST = Object.freeze({ heartbeatInterval: 200, heartbeatTimeout: 3_000 });

let namespaces = 0;
/** A namespace name of its own for each test, so tests sharing a server never meet. */
export function freshNamespace(): string {
  return `t${process.pid}-${++namespaces}`;
}

export async function connectTo(t: ExecutionContext, url: string | string[], options: ConnectionOptions = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: url, ...options });
  t.teardown(async () => {
    if (!nc.isClosed()) await withTimeout(nc.close(), 5_000, 'the connection to close').catch(() => undefined);
  });
  return nc;
}

export async function joinWorker(
  t: ExecutionContext,
  nc: NatsConnection,
  namespace: string,
  options: Partial<JoinOptions<TC, 'worker'>> & { pid?: number } = {},
): Promise<Worker> {
  const { pid, ...rest } = options;
  const member: Worker = await joinNamespace(nc, testContract, {
    namespace,
    side: 'worker',
    ...FAST,
    handlers: workerHandlers(() => member, pid),
    ...rest,
  });
  t.teardown(() => member.close());
  return member;
}

export async function joinPrimary(t: ExecutionContext, nc: NatsConnection, namespace: string, options: Partial<JoinOptions<TC, 'primary'>> = {}): Promise<Primary> {
  const member: Primary = await joinNamespace(nc, testContract, { namespace, side: 'primary', ...FAST, handlers: primaryHandlers(), ...options });
  t.teardown(() => member.close());
  return member;
}

/** Waits (bounded) until `member` knows every id of `ids`. */
export async function knows(member: { members(): { id: string }[] }, ids: readonly string[], ms = 30_000): Promise<void> {
  await eventually(() => ids.every((id) => member.members().some((m) => m.id === id)), ms, `members ${ids.join(', ')} to be known`);
}

/** Forks test/fixtures/nats-member.ts and waits (bounded) for its member id. */
export async function forkMember(t: ExecutionContext, servers: string, namespace: string): Promise<{ child: ChildProcess; id: string }> {
  const path = fileURLToPath(new URL('../fixtures/nats-member.ts', import.meta.url));
  const child = fork(path, [servers, namespace], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => {
    if (child.pid !== undefined && isAlive(child.pid)) child.kill('SIGKILL');
  });
  const id = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.on('message', (m: { ready?: string }) => {
        if (typeof m?.ready === 'string') resolve(m.ready);
      });
      child.once('exit', (code, signal) => reject(new Error(`the member exited early (${code ?? signal})`)));
    }),
    30_000,
    'the forked member to join',
  );
  return { child, id };
}

export { eventually, withTimeout };
