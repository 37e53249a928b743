// One cluster process's presence in the NATS namespace: the join under way (its failure logged,
// never thrown at the process), and the bounded leave a drain or a stop awaits. No runtime import
// of src/nats or @nats-io: the join itself is passed in, behind the lazy import().
import type { LogSink } from '../logger.js';
import { log } from './log.js';
import type { HttpNatsConnection, ResolvedHttpNats } from './nats-options.js';

/** What the presence needs of a member: a drain bounded by a timeout. */
interface Drainable {
  drain(options?: { readonly timeout?: number }): Promise<void>;
}

/** What a join resolves to (see `connectAndJoin` in nats.ts). */
export interface JoinResult<M> {
  /** The member, joined. */
  readonly member: M;
  /** Stops following its connection for the logs. */
  readonly unwatch: () => void;
}

/** Starts a join: connect through the factory (passing the connection to `opened`), then join. */
export type StartJoin<M> = (opened: (nc: HttpNatsConnection) => void) => Promise<JoinResult<M>>;

/**
 * A cluster process's membership of the namespace: joins at once (never throwing at the process),
 * exposes the member as a promise (`app.nats`), and leaves once, bounded.
 */
export class NatsPresence<M extends Drainable> {
  /** The member once joined; rejects with why it could not join (logged already). */
  readonly member: Promise<M>;
  readonly #joined: Promise<JoinResult<M> | undefined>;
  readonly #nats: ResolvedHttpNats;
  #nc: HttpNatsConnection | undefined;
  #leaving: Promise<void> | undefined;

  constructor(start: StartJoin<M>, nats: ResolvedHttpNats, logger: LogSink, who: string) {
    this.#nats = nats;
    const joining = Promise.resolve()
      .then(() => start((nc) => (this.#nc = nc)))
      .catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log(logger, 'error', `${who} could not join NATS namespace "${nats.namespace}" (it serves HTTP still): ${message}`);
        await this.#closeConnection();
        throw error;
      });
    this.member = joining.then((joined) => joined.member);
    this.#joined = joining.catch(() => undefined);
    // The failure was logged; a user who never reads `app.nats` must not get an unhandled rejection.
    this.member.catch(() => undefined);
  }

  /**
   * Leaves: drains the member (no new calls, those in flight finish, goodbye) and closes the
   * connection when the cluster opened it. Never rejects; bounded by `timeoutMs` overall.
   */
  leave(timeoutMs: number): Promise<void> {
    this.#leaving ??= this.#leave(timeoutMs);
    return this.#leaving;
  }

  async #leave(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // Not unref'd: the drain or stop awaiting this must get its answer, and the bound is short.
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const work = (async () => {
      const joined = await this.#joined;
      if (joined !== undefined) {
        await joined.member.drain({ timeout: timeoutMs }).catch(() => undefined);
        joined.unwatch();
      }
      await this.#closeConnection();
    })();
    await Promise.race([work, deadline]);
    clearTimeout(timer);
  }

  async #closeConnection(): Promise<void> {
    const nc = this.#nc;
    if (!this.#nats.closeConnection || nc === undefined || nc.isClosed()) return;
    await nc.close().catch(() => undefined);
  }
}
