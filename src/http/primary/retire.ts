// Retiring one worker: ask it to drain over RPC, wait for its exit, kill it past the deadline, and
// account for what it drained and what was cut off (the worker's own answer).
import type { LogSink } from '../../logger.js';
import { log } from '../log.js';
import type { HttpWorkerInfo, Member } from './member.js';
import type { DrainObserver } from './metrics.js';

/**
 * How long past the deadline the primary waits for a worker to answer and exit by itself (its own
 * drain ends at the deadline, cuts off what is left and exits 1) before it kills it.
 */
export const FORCE_GRACE_MS = 1_000;

/**
 * How one worker's drain ended.
 * @public
 */
export interface RetiredWorker {
  /** The worker as it was when it exited. */
  readonly worker: HttpWorkerInfo;
  /** Requests it finished during its drain, by its own answer; undefined when it never answered. */
  readonly drained: number | undefined;
  /** Requests still in flight at the deadline, cut off, by its own answer; undefined when it never answered. */
  readonly cutOff: number | undefined;
  /** The primary killed it: it neither answered nor exited within the deadline and its grace. */
  readonly killed: boolean;
  /** It drained everything in time and exited 0. */
  readonly clean: boolean;
}

/** How a worker drains: `closeIdle: false` for a reload (kept-alive connections end by themselves). */
export interface RetireMode {
  readonly deadlineMs: number;
  readonly closeIdle: boolean;
  /** Told how the drain went (the metrics); absent when they are off. */
  readonly observer?: DrainObserver | undefined;
}

/**
 * Asks a worker to drain and waits for it to exit, killing it once the deadline and its grace have
 * passed. Resolves to how it ended; undefined when it was gone already. A worker draining for a
 * reload that is retired again by a shutdown switches to closing idle connections at once.
 */
export async function retire(member: Member, mode: RetireMode): Promise<RetiredWorker | undefined> {
  if (!member.apply('retired')) return undefined;
  const startedAt = performance.now();
  member.planned = true;
  let killed = false;
  const timer = setTimeout(() => {
    killed = member.state !== 'gone';
    member.kill(`still running past the shutdown deadline (${mode.deadlineMs} ms)`);
  }, mode.deadlineMs + FORCE_GRACE_MS);
  timer.unref();
  let answer: { drained: number; remaining: number; closed?: number | undefined } | undefined;
  member.handle
    .call('shutdown', { deadlineMs: mode.deadlineMs, closeIdle: mode.closeIdle }, { timeout: mode.deadlineMs + FORCE_GRACE_MS })
    .then((result) => (answer = result))
    .catch(() => {});
  await member.exited;
  clearTimeout(timer);
  mode.observer?.drained(startedAt, answer, killed);
  // The worker's own drain timer ends at the deadline: it then exits 1, having cut off the rest.
  // A worker stopped while it was starting had nothing to cut off, however it ended.
  const clean = member.neverReady || (!killed && member.exitCode === 0 && (answer === undefined || answer.remaining === 0));
  return { worker: member.info(), drained: answer?.drained, cutOff: answer?.remaining, killed, clean };
}

/** One line for a worker whose drain was forced, saying what it drained and what was cut off. */
export function forcedLine(r: RetiredWorker, deadlineMs: number): string {
  const who = `worker ${r.worker.id} (pid ${r.worker.pid ?? '?'}, slot ${r.worker.slot})`;
  const counts = r.drained === undefined ? 'it never answered, so what it cut off is unknown' : `${r.drained} requests drained, ${r.cutOff ?? 0} cut off`;
  return r.killed
    ? `${who} was killed ${FORCE_GRACE_MS} ms past the shutdown deadline (${deadlineMs} ms): ${counts}`
    : `${who} was stopped at the shutdown deadline (${deadlineMs} ms): ${counts}`;
}

/**
 * A shutdown's drain of every worker, closing idle connections at once. Resolves to the workers
 * whose drain the deadline cut short, each also written as one line.
 */
export async function retireAll(members: readonly Member[], deadlineMs: number, logger: LogSink, observer?: DrainObserver): Promise<RetiredWorker[]> {
  const results = await Promise.all(members.map((m) => retire(m, { deadlineMs, closeIdle: true, observer })));
  const forced = results.filter((r): r is RetiredWorker => r !== undefined && !r.clean);
  for (const r of forced) log(logger, 'error', forcedLine(r, deadlineMs));
  return forced;
}

/**
 * A worker still starting when the cluster stops: it has no request to lose, and may still be
 * loading its code, long before it can answer over RPC. SIGTERM ends it at once: its runtime drains
 * (nothing) and exits 0, or, not yet running, it dies by the signal, silently.
 */
export function stopStarting(member: Member): void {
  member.killedFor ??= 'was stopped while starting (the cluster is shutting down)';
  member.planned = true;
  member.worker.process.kill('SIGTERM');
}
