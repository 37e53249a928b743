// The RPC hooks the primary's hub is created with when the `metrics` option is on. The hub exists
// from the supervisor's constructor (synchronous, so that signals are handled from the first line),
// while the metrics module is imported only by `start()`, before the first fork, and only when the
// option is on. Until it is bound, a hook does nothing (no call can happen before a worker exists)
// and a watched source waits for the real hooks.
import type { RpcGaugeSource, RpcMetricsHooks, RpcSide } from '../../metrics/rpc.js';
import type { ResolvedHttpMetrics } from '../metrics-options.js';
import type { PrimaryMetrics, SupervisorView } from './metrics.js';

/** Imports the primary's metrics (the `metrics` option is on), creates them, and binds `hooks` to their RPC figures. */
export async function loadPrimaryMetrics(options: ResolvedHttpMetrics, hooks: LateRpcHooks, view: SupervisorView): Promise<PrimaryMetrics> {
  const { PrimaryMetrics } = await import('./metrics.js');
  const metrics = new PrimaryMetrics(options, view);
  hooks.bind(metrics.rpc);
  return metrics;
}

export class LateRpcHooks implements RpcMetricsHooks {
  #real: RpcMetricsHooks | undefined;
  /** Sources watched before `bind`, handed over when it comes. */
  #early: ((real: RpcMetricsHooks) => void)[] = [];

  /** From now on every hook goes to `real`. */
  bind(real: RpcMetricsHooks): void {
    this.#real = real;
    for (const handOver of this.#early.splice(0)) handOver(real);
  }

  callSettled(method: string, side: RpcSide, outcome: string, seconds: number): void {
    this.#real?.callSettled(method, side, outcome, seconds);
  }

  callRefused(side: RpcSide, reason: string): void {
    this.#real?.callRefused(side, reason);
  }

  lateReply(): void {
    this.#real?.lateReply();
  }

  protocolError(): void {
    this.#real?.protocolError();
  }

  peerExited(): void {
    this.#real?.peerExited();
  }

  watch(source: RpcGaugeSource): () => void {
    if (this.#real !== undefined) return this.#real.watch(source);
    let unwatch: (() => void) | undefined;
    let gone = false;
    this.#early.push((real) => {
      if (!gone) unwatch = real.watch(source);
    });
    return () => {
      gone = true;
      unwatch?.();
    };
  }
}
