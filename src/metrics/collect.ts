// One collection: ask every worker for its snapshot at once, under one deadline, and return what
// arrived. Never rejects and never waits past the deadline, whatever the workers do. Knows
// nothing of how a worker is asked: the caller injects `ask`.
import { readSnapshot, type MetricsSnapshot } from './snapshot.js';

/**
 * Why a worker gave no snapshot to a collection.
 * - `timeout`: no answer within the deadline (a slow or stopped worker);
 * - `exited`: the worker is gone, or went away while asked;
 * - `invalid`: it answered with something that is not a snapshot;
 * - `failed`: asking it failed otherwise;
 * - `conflict`: (merge) a family or series clashed with one already there and was dropped.
 * @public
 */
export type CollectionErrorReason = 'timeout' | 'exited' | 'invalid' | 'failed' | 'conflict';

/** Every reason, in a stable order. */
export const COLLECTION_ERROR_REASONS: readonly CollectionErrorReason[] = Object.freeze(['timeout', 'exited', 'invalid', 'failed', 'conflict']);

/**
 * One worker to ask.
 * @public
 */
export interface CollectTarget<W> {
  /** Its stable label: the slot it fills, not its pid. */
  readonly worker: string;
  /** What `ask` is given: a worker handle, an id. */
  readonly target: W;
  /** `false` for a slot whose worker is gone: not asked, reported as `exited`. */
  readonly alive?: boolean;
}

/**
 * Asks one worker for its snapshot. It should honour `signal` (aborted at the deadline); the
 * collection does not wait for it past `timeout` either way.
 * @public
 */
export type AskSnapshot<W> = (target: W, options: { readonly signal: AbortSignal; readonly timeout: number }) => Promise<unknown> | unknown;

/**
 * One worker's part of a collection.
 * @public
 */
export type CollectResult =
  | { readonly worker: string; readonly status: 'ok'; readonly snapshot: MetricsSnapshot; readonly ms: number }
  | { readonly worker: string; readonly status: 'failed'; readonly reason: Exclude<CollectionErrorReason, 'conflict'>; readonly message: string; readonly ms: number };

const GONE_CODES = new Set(['RPC_PEER_EXITED', 'RPC_NO_WORKER', 'RPC_CLOSED']);

function classify(error: unknown, signal: AbortSignal): { reason: 'timeout' | 'exited' | 'failed'; message: string } {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (signal.aborted || code === 'RPC_TIMEOUT') return { reason: 'timeout', message };
  if (typeof code === 'string' && GONE_CODES.has(code)) return { reason: 'exited', message };
  return { reason: 'failed', message };
}

/**
 * Asks every live target for its snapshot at once and resolves, at the latest `timeout`
 * milliseconds later, with one result per target in their order. Whatever the workers do, it does
 * not reject; only a bad `timeout` (not 1 to 2^31-1 ms) does, with a `TypeError`.
 * @public
 */
export function collectSnapshots<W>(targets: readonly CollectTarget<W>[], ask: AskSnapshot<W>, timeout: number): Promise<CollectResult[]> {
  if (!(timeout > 0) || timeout > 2 ** 31 - 1) return Promise.reject(new TypeError(`collectSnapshots: timeout must be 1 to 2^31-1 ms, got ${timeout}`));
  const started = performance.now();
  const controller = new AbortController();
  const results: (CollectResult | undefined)[] = targets.map(() => undefined);
  let open = 0;
  return new Promise<CollectResult[]>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(results as CollectResult[]);
    };
    const settle = (index: number, result: CollectResult): void => {
      if (done || results[index] !== undefined) return;
      results[index] = result;
      if (--open === 0) finish();
    };
    const timer = setTimeout(() => {
      controller.abort(new Error(`no snapshot within ${timeout} ms`));
      results.forEach((r, i) => {
        if (r === undefined) results[i] = { worker: targets[i]!.worker, status: 'failed', reason: 'timeout', message: `no answer within ${timeout} ms`, ms: timeout };
      });
      finish();
    }, timeout);
    // Not unref'd: someone awaits this collection, and the deadline is what ends it. It is bounded
    // and cleared as soon as every worker has answered.
    targets.forEach((t, i) => {
      if (t.alive === false) {
        results[i] = { worker: t.worker, status: 'failed', reason: 'exited', message: 'the worker is gone', ms: 0 };
        return;
      }
      open++;
      const ms = (): number => performance.now() - started;
      let answer: Promise<unknown>;
      try {
        answer = Promise.resolve(ask(t.target, { signal: controller.signal, timeout }));
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (raw) => {
          const snapshot = readSnapshot(raw);
          settle(i, typeof snapshot === 'string' ? { worker: t.worker, status: 'failed', reason: 'invalid', message: snapshot, ms: ms() } : { worker: t.worker, status: 'ok', snapshot, ms: ms() });
        },
        (error: unknown) => settle(i, { worker: t.worker, status: 'failed', ...classify(error, controller.signal), ms: ms() }),
      );
    });
    if (open === 0) finish();
  });
}
