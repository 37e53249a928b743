// The HTTP cluster's side of a NATS namespace: the full check of the member options, and one
// process's connect-and-join. Loaded only through import() when the
// `nats` option is given, so the HTTP entry never loads src/nats or @nats-io without it.
import type { NatsConnection } from '@nats-io/transport-node';
import { describe } from '../checks.js';
import type { Contract, EventMap, ProcedureMap } from '../contract/contract.js';
import type { LogSink } from '../logger.js';
import { joinNamespace } from '../nats/member.js';
import { resolveNatsOptions } from '../nats/options.js';
import type { NatsMember } from '../nats/types.js';
import { log } from './log.js';
import type { HttpNatsConnection, NatsClusterContract, ResolvedHttpNats } from './nats-options.js';
import type { JoinResult } from './nats-presence.js';

/** Checks the pass-through member options in full, as `joinNamespace` would, naming the option. */
export function checkMemberOptions(nats: ResolvedHttpNats): void {
  resolveNatsOptions('runHttpCluster: nats.member', { ...nats.member, namespace: nats.namespace, side: 'worker' }, []);
}

/** Follows the connection for the logs: a loss, a reconnect, a close for good. */
function watch(nc: NatsConnection, logger: LogSink, who: string): () => void {
  const status = nc.status();
  void (async () => {
    for await (const s of status) {
      if (s.type === 'disconnect') log(logger, 'warn', `${who} lost its NATS connection (${s.server}); calls over NATS fail fast until it reconnects`);
      else if (s.type === 'reconnect') log(logger, 'info', `${who} reconnected to NATS (${s.server})`);
    }
  })().catch(() => undefined);
  void nc.closed().then((error) => {
    if (error) log(logger, 'error', `${who}'s NATS connection closed: ${error.message}; it left the namespace, and serves HTTP still`);
  });
  return () => (status as unknown as { stop(): void }).stop();
}

/**
 * Opens the connection through the user's factory (handing it to `opened` at once, so it is closed
 * even if the join fails) and joins the namespace serving `side` with these handlers.
 */
export async function connectAndJoin<C extends Contract, S extends 'primary' | 'worker'>(
  nats: ResolvedHttpNats,
  contract: NatsClusterContract<C>,
  side: S,
  handlers: unknown,
  logger: LogSink,
  who: string,
  opened: (nc: HttpNatsConnection) => void,
): Promise<JoinResult<NatsMember<NatsClusterContract<C>, S>>> {
  const opening: unknown = await nats.connect();
  if (typeof opening !== 'object' || opening === null || typeof (opening as { subscribe?: unknown }).subscribe !== 'function') {
    throw new TypeError(`runHttpCluster: nats.connect must resolve to a NATS connection from @nats-io/transport-node, got ${describe(opening)}`);
  }
  const nc = opening as NatsConnection;
  opened(nc);
  const options = { ...nats.member, namespace: nats.namespace, side, logger, handlers } as never;
  const member = (await joinNamespace(nc, contract as Contract<ProcedureMap, ProcedureMap, EventMap>, options)) as unknown as NatsMember<NatsClusterContract<C>, S>;
  return { member, unwatch: watch(nc, logger, who) };
}
