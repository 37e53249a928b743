// The HTTP cluster's own failures. Their codes live in the one table of src/errors.ts.
import { RpcError } from '../errors.js';

/**
 * A worker of the HTTP cluster did not become ready: its server factory threw, it could not
 * listen, it exited first, or its `readyTimeout` elapsed. `runHttpCluster` rejects with it at start.
 * @public
 */
export class RpcWorkerStartError extends RpcError {
  /** The cluster worker id. */
  readonly workerId: number;
  /** Why, in words: `failed to start: Error: …`, `did not become ready within 10000 ms`, … */
  readonly reason: string;
  constructor(workerId: number, reason: string, options?: ErrorOptions) {
    super('RPC_WORKER_START_FAILED', `worker ${workerId} ${reason}`, options);
    this.workerId = workerId;
    this.reason = reason;
  }
}

/**
 * A rolling restart (`app.reload()`) stopped: a new worker did not become ready (its error is the
 * `cause`; the old workers keep serving), or the cluster is shutting down.
 * @public
 */
export class RpcReloadError extends RpcError {
  /** The slot whose new worker failed, when one did. */
  readonly slot: number | undefined;
  constructor(message: string, slot?: number, options?: ErrorOptions) {
    super('RPC_RELOAD_FAILED', message, options);
    this.slot = slot;
  }
}

/**
 * The HTTP cluster's `balance` needs a `cluster.schedulingPolicy` that this process can no longer
 * set, because it forked a worker before `runHttpCluster` was called.
 * @public
 */
export class RpcSchedulingPolicyError extends RpcError {
  /** The policy the balance needs (`cluster.SCHED_RR` or `cluster.SCHED_NONE`). */
  readonly wanted: number;
  /** The policy the process already forked with. */
  readonly actual: number;
  constructor(balance: string, wanted: number, actual: number) {
    super(
      'RPC_SCHEDULING_POLICY',
      `runHttpCluster: balance '${balance}' needs cluster.schedulingPolicy ${wanted}, but this process already forked with ${actual}; call runHttpCluster before any other fork`,
    );
    this.wanted = wanted;
    this.actual = actual;
  }
}
