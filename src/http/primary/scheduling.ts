// Which scheduling policy each balance needs from node:cluster, set before the first fork.
import cluster from 'node:cluster';
import { RpcSchedulingPolicyError } from '../errors.js';
import type { BalanceStrategy } from '../options.js';

/**
 * Node fixes the scheduling policy at the first fork; set it before, or say why it cannot be.
 * @throws `RpcSchedulingPolicyError` when this process already forked with another policy.
 */
export function applySchedulingPolicy(balance: BalanceStrategy): void {
  const wanted = balance === 'round-robin' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  if (cluster.schedulingPolicy === wanted) return;
  if (Object.keys(cluster.settings).length > 0) throw new RpcSchedulingPolicyError(balance, wanted, cluster.schedulingPolicy);
  cluster.schedulingPolicy = wanted;
}
