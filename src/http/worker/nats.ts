// A worker's member of the NATS namespace (the `nats` option): the user's worker handlers with
// `stats` and `ping`, never `shutdown` (nobody on another machine may stop this worker). The NATS
// code is loaded by import() here, only when the option is given.
import type { Contract } from '../../contract/contract.js';
import type { NatsMember } from '../../nats/types.js';
import { userHandlers } from '../control.js';
import { natsClusterContract, type NatsClusterContract } from '../nats-options.js';
import { NatsPresence } from '../nats-presence.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from '../options.js';
import { workerStats, type WorkerParts } from './link.js';

/** This worker's presence in the namespace; undefined without the `nats` option. */
export function joinWorkerNats<C extends Contract>(
  options: HttpClusterOptions<C>,
  resolved: ResolvedHttpOptions,
  parts: WorkerParts,
): NatsPresence<NatsMember<NatsClusterContract<C>, 'worker'>> | undefined {
  const nats = resolved.nats;
  if (nats === undefined) return undefined;
  const handlers = {
    ...userHandlers(options.handlers?.worker),
    stats: () => workerStats(parts),
    ping: () => ({ rssBytes: process.memoryUsage.rss() }),
  };
  const who = `worker ${process.pid}`;
  return new NatsPresence(
    async (opened) => {
      const wiring = await import('../nats.js');
      wiring.checkMemberOptions(nats);
      return wiring.connectAndJoin(nats, natsClusterContract(options.contract), 'worker', handlers, resolved.logger, who, opened);
    },
    nats,
    resolved.logger,
    who,
  );
}
