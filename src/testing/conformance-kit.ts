// The conformance suite's vocabulary: the pair a transport under test provides, a case, and the
// bounded waits and assertions the cases share (node:assert, so no test runner is needed).
import assert from 'node:assert/strict';
import type { InFlightCall } from '../endpoint/pending.js';
import type { EndpointStats } from '../endpoint/stats.js';
import type { Caller } from '../endpoint/typed.js';
import type { Serialization } from '../protocol/payload.js';
import type { ConformanceContract } from './conformance-contract.js';

/**
 * What the suite needs of the calling side: an `Endpoint` and a hub's `WorkerHandle` both are this.
 * @public
 */
export interface ConformanceCaller {
  /** Calls a procedure of `conformanceContract.worker`. */
  readonly call: Caller<ConformanceContract['worker']>['call'];
  /** The caller's counters. */
  stats(): EndpointStats;
  /** The caller's calls in flight. */
  inFlight(): InFlightCall[];
}

/**
 * A fresh, connected pair over the transport under test, as the factory returns it.
 * @public
 */
export interface ConformancePair {
  /**
   * The side that calls the worker procedures. It serves `conformancePrimaryHandlers()` (the
   * worker's `callBack` calls `upper` on it), with default options except a timeout of at least 2 s.
   */
  readonly primary: ConformanceCaller;
  /**
   * The worker's endpoint when it lives in this process, else `undefined` (a forked worker). It
   * serves `conformanceWorkerHandlers()` with default options. Only used for extra checks.
   */
  readonly worker: { stats(): EndpointStats } | undefined;
  /**
   * Closes the primary's side, so its pending calls reject with `RpcClosedError`, and releases
   * everything else. Called by some cases and again after each: it must be idempotent.
   */
  close(): Promise<void>;
}

/**
 * Options of {@link conformanceCases}.
 * @public
 */
export interface ConformanceOptions {
  /** The serialization the pair uses; a few cases differ by it. */
  readonly serialization: Serialization;
}

/**
 * One case of the suite: run it as a test of your runner. It opens a pair, checks, closes the pair,
 * and rejects with an `AssertionError` (or the library's error) when the transport misbehaves.
 * @public
 */
export interface ConformanceCase {
  /** What the case checks, as a sentence. */
  readonly title: string;
  /** Runs the case over a fresh pair. */
  run(): Promise<void>;
}

/** A case's body, given an open pair. */
export type CaseBody = (pair: ConformancePair) => Promise<void>;
/** Declares one case. */
export type DeclareCase = (title: string, body: CaseBody) => void;

/** Bounds a wait, and keeps the event loop alive while it lasts (the library's call timers are unref'd). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Awaits a promise that must reject (with an instance of `Class`, when given); returns the reason. */
export async function rejection<E = unknown>(promise: Promise<unknown>, Class?: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (reason) {
    if (Class !== undefined) assert.ok(reason instanceof Class, `expected ${Class.name}, got ${String(reason)}`);
    return reason as E;
  }
  assert.fail(`expected a rejection${Class !== undefined ? ` with ${Class.name}` : ''}, but the promise resolved`);
}

/** Calls `make` and fails if it throws synchronously: the library's calls reject instead. */
export function noThrow(make: () => Promise<unknown>): Promise<unknown> {
  try {
    return make();
  } catch (error) {
    assert.fail(`threw synchronously instead of rejecting: ${String(error)}`);
  }
}

/** No call awaits its reply. */
export function assertIdle(pair: ConformancePair): void {
  assert.equal(pair.primary.stats().inFlight, 0, 'no call awaits its reply');
  assert.deepEqual(pair.primary.inFlight(), []);
}
