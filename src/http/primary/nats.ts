// The primary's member of the NATS namespace (the `nats` option): serves `clusterStats`, joins
// beside the boot, leaves after the stop. The NATS code is loaded by import() here, only when the
// option is given; its member options are checked in full before the first fork.
import type { Contract } from '../../contract/contract.js';
import type { NatsMember } from '../../nats/types.js';
import { natsClusterContract, type NatsClusterContract } from '../nats-options.js';
import { NatsPresence } from '../nats-presence.js';
import type { HttpClusterOptions, ResolvedHttpOptions } from '../options.js';
import type { Supervisor } from './supervisor.js';

/** Joins the primary to the namespace once its supervisor exists. */
export type PrimaryNatsJoin<C extends Contract> = (supervisor: Supervisor<C>) => NatsPresence<NatsMember<NatsClusterContract<C>, 'primary'>>;

/**
 * Loads the NATS wiring and checks the member options in full, before anything starts; resolves to
 * the join (whose leave is hooked after the supervisor's stop), or undefined without the option.
 */
export async function prepareNats<C extends Contract>(options: HttpClusterOptions<C>, resolved: ResolvedHttpOptions): Promise<PrimaryNatsJoin<C> | undefined> {
  const nats = resolved.nats;
  if (nats === undefined) return undefined;
  const wiring = await import('../nats.js');
  wiring.checkMemberOptions(nats);
  const who = `the primary (pid ${process.pid})`;
  const contract = natsClusterContract(options.contract);
  return (supervisor) => {
    const handlers = { clusterStats: () => supervisor.clusterStats() };
    const presence = new NatsPresence(
      (opened) => wiring.connectAndJoin(nats, contract, 'primary', handlers, resolved.logger, who, opened),
      nats,
      resolved.logger,
      who,
    );
    supervisor.afterStop.push(() => presence.leave(resolved.shutdownTimeout));
    return presence;
  };
}
