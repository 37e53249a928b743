// The primary's member of the NATS namespace (the `nats` option): serves `clusterStats`, joins
// beside the boot, leaves after the stop. The NATS code is loaded by import() here, only when the
// option is given; its member options are checked in full before the first fork.
import type { Contract } from '../../contract/contract.js';
import type { NatsMember } from '../../nats/types.js';
import { natsClusterContract, type NatsClusterContract } from '../nats-options.js';
import { NatsPresence } from '../nats-presence.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from '../options.js';
import type { Supervisor } from './supervisor.js';

/** The primary's presence in the namespace, its leave hooked after the supervisor's stop; undefined without the option. */
export async function joinPrimaryNats<C extends Contract>(
  options: HttpClusterOptions<C>,
  resolved: ResolvedHttpOptions,
  supervisor: Supervisor<C>,
): Promise<NatsPresence<NatsMember<NatsClusterContract<C>, 'primary'>> | undefined> {
  const nats = resolved.nats;
  if (nats === undefined) return undefined;
  const wiring = await import('../nats.js');
  wiring.checkMemberOptions(nats);
  const who = `the primary (pid ${process.pid})`;
  const handlers = { clusterStats: () => supervisor.clusterStats() };
  const contract = natsClusterContract(options.contract);
  const presence = new NatsPresence(
    (opened) => wiring.connectAndJoin(nats, contract, 'primary', handlers, resolved.logger, who, opened),
    nats,
    resolved.logger,
    who,
  );
  supervisor.afterStop.push(() => presence.leave(resolved.shutdownTimeout));
  return presence;
}
