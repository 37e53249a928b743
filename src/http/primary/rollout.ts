// Rolling replacement: a reload replaces every slot's worker, the memory ceiling one worker. Each
// step forks the new worker first and retires the old one once the new one is ready, so the
// cluster never has fewer ready workers than configured; drains overlap (a reload's drain may
// last up to the keep-alive timeout). What a death does to a step is decided by `stepOutcome`.
import { RpcReloadError } from '../errors.js';
import { stepOutcome, type Member, type WorkerExit } from './member.js';
import type { RetiredWorker } from './retire.js';
import type { Roster } from './roster.js';

/** What a rollout needs of the supervisor. */
export interface RolloutHost {
  readonly roster: Roster;
  /** The cluster is shutting down. */
  stopping(): boolean;
  /** Forks a new worker for the old one's slot, filling the slot only once it is ready. */
  forkSuccessor(old: Member): Member;
  /** Drains a worker for a rollout: kept-alive connections end by themselves. */
  retire(member: Member): Promise<RetiredWorker | undefined>;
  /** The slot is empty after its old worker crashed and its new one failed: refill it by the restart policy. */
  refill(slot: number, exit: WorkerExit, old: Member): void;
}

/** Runs reloads (one at a time; a second joins the first) and single replacements. */
export class Rollout {
  readonly #host: RolloutHost;
  #running: Promise<void> | undefined;

  constructor(host: RolloutHost) {
    this.#host = host;
  }

  /**
   * Replaces every slot's worker in turn, each new one ready before its predecessor drains, and
   * resolves once every old worker has exited. Rejects with `RpcReloadError` when a new worker
   * fails to become ready (the old one keeps serving; the slots already replaced stay replaced).
   */
  reload(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Replaces one worker the same way (the memory ceiling). Rejects like a reload's step. */
  async replace(old: Member): Promise<void> {
    if (!this.#eligible(old)) return;
    await (await this.#step(old)).drained;
  }

  async #run(): Promise<void> {
    const drains: Promise<unknown>[] = [];
    try {
      for (const old of this.#host.roster.occupants()) {
        if (this.#host.stopping()) throw new RpcReloadError('reload: the cluster started shutting down');
        // An old worker that crashed while it waited its turn was refilled by the restart policy.
        if (this.#eligible(old)) drains.push((await this.#step(old)).drained);
      }
    } finally {
      await Promise.all(drains);
    }
  }

  /** Still the slot's worker, alive, and not already being replaced. */
  #eligible(old: Member): boolean {
    const roster = this.#host.roster;
    return (old.state === 'ready' || old.state === 'starting') && roster.occupant(old.slot) === old && roster.successor(old.slot) === undefined;
  }

  /** One step: resolves, once the new worker is ready, to the old one's drain (not awaited here). */
  async #step(old: Member): Promise<{ readonly drained: Promise<unknown> }> {
    const fresh = this.#host.forkSuccessor(old);
    let failure: unknown;
    const ready = await fresh.ready.then(
      () => true,
      (error: unknown) => ((failure = error), false),
    );
    const outcome = stepOutcome(ready && fresh.state === 'ready', old.state !== 'gone');
    if (outcome === 'retire') return { drained: this.#host.retire(old) };
    fresh.planned = true;
    fresh.kill('rollout: not ready');
    await fresh.exited;
    if (outcome === 'abort-and-restart' && old.exit !== undefined && !this.#host.stopping()) this.#host.refill(old.slot, old.exit, old);
    const message = `reload stopped: the new worker for slot ${old.slot} failed (${(failure as Error | undefined)?.message ?? 'it stopped'}); the old workers keep serving`;
    throw new RpcReloadError(message, old.slot, { cause: failure });
  }
}
