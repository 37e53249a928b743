// Shared helpers of the integration tests: bounded waits, fixtures, and teardown of what a test forked.
import cluster, { type Worker } from 'node:cluster';
import { spawn, type ChildProcess } from 'node:child_process';
import { BOUND, isAlive, withTimeout } from '../fixtures/process.js';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { createPrimary, type PrimaryHub, type PrimaryOptions, type Serialization, type WorkerHandle, type WorkerInfo } from '../../src/index.js';
import { testContract } from '../fixtures/contract.js';
import { primaryHandlers } from '../fixtures/handlers.js';
import type { ConformancePair } from '../conformance/suite.js';

export type TC = typeof testContract;

/** The project root: fixtures run with `--import=tsx`, which resolves from here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The absolute path of a fixture under test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Points cluster.fork at a fixture. Process-global: call it right before the fork that needs it. */
export function useFixture(name: string): void {
  cluster.setupPrimary({ exec: fixture(name) });
}


/** Settles a promise into a value: what it resolved to, or the error it rejected with. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}


/** Kills a worker with SIGKILL unless it has exited already. */
export function killWorker(worker: Worker): void {
  const child = worker.process;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Kills a worker in this test's teardown if it is still running, and waits (bounded) for its exit. */
export function killOnTeardown(t: ExecutionContext, worker: Worker): void {
  t.teardown(async () => {
    const child = worker.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await withTimeout(exited, 15_000, `worker ${worker.id} to exit in teardown`).catch(() => undefined);
  });
}

/** Resolves with a worker's exit code and signal, bounded. */
export function waitForExit(worker: Worker, ms = BOUND.reply): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = worker.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return withTimeout(
    new Promise((resolve) => child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }))),
    ms,
    `worker ${worker.id} to exit`,
  );
}

/** Resolves with the first 'message' from a worker that matches, bounded. */
export function waitForMessage<T = unknown>(worker: Worker, match: (message: any) => boolean, ms: number, what: string): Promise<T> {
  let listener: ((message: unknown) => void) | undefined;
  const found = new Promise<T>((resolve) => {
    listener = (message: unknown) => {
      if (match(message)) resolve(message as T);
    };
    worker.on('message', listener);
  });
  return withTimeout(found, ms, what).finally(() => {
    if (listener !== undefined) worker.off('message', listener);
  });
}

/** Lines the workers logged through the primary's `log` handler, with a bounded wait for one. */
export class LogBook {
  readonly entries: { worker: WorkerInfo; level: string; text: string }[] = [];
  readonly #waiters = new Set<{ match: (text: string, worker: WorkerInfo) => boolean; resolve: () => void }>();

  add(worker: WorkerInfo, level: string, text: string): void {
    this.entries.push({ worker, level, text });
    for (const w of [...this.#waiters]) {
      if (w.match(text, worker)) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Waits until a worker logs a line that matches. */
  waitFor(match: (text: string, worker: WorkerInfo) => boolean, ms: number, what: string): Promise<void> {
    if (this.entries.some((e) => match(e.text, e.worker))) return Promise.resolve();
    let waiter: { match: (text: string, worker: WorkerInfo) => boolean; resolve: () => void } | undefined;
    const found = new Promise<void>((resolve) => {
      waiter = { match, resolve };
      this.#waiters.add(waiter);
    });
    return withTimeout(found, ms, what).finally(() => {
      if (waiter !== undefined) this.#waiters.delete(waiter);
    });
  }

  /** Waits for the fixture worker's startup line (`ready <pid>`). */
  ready(handle: { readonly id: number }, ms = BOUND.process): Promise<void> {
    return this.waitFor((text, w) => w.id === handle.id && text.startsWith('ready '), ms, `worker ${handle.id} to log that it is ready`);
  }
}

export interface TestHub {
  readonly hub: PrimaryHub<TC>;
  readonly logs: LogBook;
  /** Forks a worker of the hub (with the given fixture, default worker.ts), killed in teardown. */
  fork(env?: NodeJS.ProcessEnv, fixtureName?: string): WorkerHandle<TC>;
}

type HubOptions = Omit<PrimaryOptions<TC>, 'handlers'> & { readonly handlers?: Partial<PrimaryOptions<TC>['handlers']> };

/**
 * A hub for the shared test contract, closed in teardown; its workers are killed in teardown. The
 * `log` handler feeds a LogBook; other handlers may be overridden.
 */
export function startHub(t: ExecutionContext, options: HubOptions = {}): TestHub {
  const logs = new LogBook();
  const { handlers, ...rest } = options;
  const hub = createPrimary(testContract, {
    ...rest,
    handlers: {
      log: ({ level, text }, ctx) => logs.add(ctx.worker, level, text),
      upper: (text) => text.toUpperCase(),
      ...handlers,
    },
  });
  // Unreported problems would become process warnings; tests that care add their own listener.
  hub.on('error', () => {});
  t.teardown(() => hub.close());
  return {
    hub,
    logs,
    fork(env, fixtureName = 'worker.ts') {
      useFixture(fixtureName);
      const handle = hub.fork(env);
      killOnTeardown(t, handle.worker);
      return handle;
    },
  };
}

/** A plain child process (not a cluster worker) running a TypeScript fixture, killed in teardown. */
export interface Child {
  readonly child: ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Resolves with its next stdout line that parses as JSON, bounded. */
  nextJson<T>(ms: number, what: string): Promise<T>;
  /** Resolves with its exit code and signal, bounded. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runFixture(t: ExecutionContext, name: string, env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import=tsx', fixture(name)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    let nl: number;
    while ((nl = out.indexOf('\n')) !== -1) {
      lines.push(out.slice(0, nl));
      out = out.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await withTimeout(exit, 15_000, `fixture ${name} to exit in teardown`).catch(() => undefined);
    }
  });
  return {
    child,
    stderr: () => err,
    async nextJson<T>(ms: number, what: string): Promise<T> {
      const take = async (): Promise<T> => {
        for (;;) {
          const line = lines.shift();
          if (line !== undefined) {
            try {
              return JSON.parse(line) as T;
            } catch {
              continue;
            }
          }
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before printing ${what}; stderr:\n${err}`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            child.once('exit', () => resolve());
          });
        }
      };
      return withTimeout(take(), ms, `${what} from ${name} (stderr so far:\n${err})`);
    },
    exited: (ms) => withTimeout(exit, ms, `fixture ${name} to exit`),
  };
}

/** Polls until no process has one of these pids (for processes that are not our children). */
export async function waitForPidsGone(pids: readonly number[], ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}: still alive: ${pids.filter(isAlive).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// The conformance suite's factory over real cluster IPC. Each test gets a fresh hub, attached to a
// worker whose link to the primary is fresh too; the worker processes are a small pool reused across
// tests, because the suite bounds each pair at 10 s, and forking one worker per test (tsx, zod: about
// a second of CPU each, far more on a busy machine) does not fit that on two cores. The pool is
// started (warm) before the tests, with its own bound, so that a pair only waits for a reconnect.

const POOL_SIZE = 3;

export class WorkerPool {
  readonly #serialization: Serialization;
  readonly #all = new Set<Worker>();
  readonly #free: Worker[] = [];
  readonly #waiting: ((worker: Worker) => void)[] = [];
  readonly #generation = new WeakMap<Worker, number>();

  constructor(serialization: Serialization) {
    this.#serialization = serialization;
  }

  /** Forks the pool's workers and waits (bounded) until each one's link is connected. */
  async warm(): Promise<void> {
    const started = Array.from({ length: POOL_SIZE - this.#all.size }, () => this.#spawn());
    for (const worker of await Promise.all(started)) this.release(worker);
  }

  async #spawn(): Promise<Worker> {
    cluster.setupPrimary({ exec: fixture('int-conformance-worker.ts'), serialization: this.#serialization });
    const worker = cluster.fork({ FIXTURE_SERIALIZATION: this.#serialization });
    // Each hub.attach leaves an 'error' listener on the Worker for good (src/transport/cluster.ts; see
    // attach.test.ts): a pool worker attached once per test would pass the default limit of 10.
    worker.setMaxListeners(100);
    this.#all.add(worker);
    worker.once('exit', () => this.#all.delete(worker));
    await waitForMessage(worker, (m) => m?.type === 'connected' && m.generation === 0, BOUND.boot, 'a pool worker to connect');
    this.#generation.set(worker, 0);
    return worker;
  }

  /** A worker whose link is freshly connected and heard by nobody yet. */
  async acquire(): Promise<Worker> {
    let worker = this.#free.pop();
    if (worker === undefined && this.#all.size < POOL_SIZE) return this.#spawn();
    worker ??= await new Promise<Worker>((resolve) => this.#waiting.push(resolve));
    // Reconnect its link so that its handlers, counters and cancellations start afresh.
    const generation = (this.#generation.get(worker) ?? 0) + 1;
    this.#generation.set(worker, generation);
    const connected = waitForMessage(worker, (m) => m?.type === 'connected' && m.generation === generation, BOUND.reply, 'a pool worker to reconnect');
    worker.send({ type: 'reset', generation });
    await connected;
    return worker;
  }

  release(worker: Worker): void {
    if (!this.#all.has(worker)) return;
    const next = this.#waiting.shift();
    if (next !== undefined) next(worker);
    else this.#free.push(worker);
  }

  async destroy(): Promise<void> {
    const workers = [...this.#all];
    for (const worker of workers) killWorker(worker);
    await Promise.all(workers.map((w) => waitForExit(w).catch(() => undefined)));
  }
}

export function clusterPairFactory(pool: WorkerPool, serialization: Serialization): () => Promise<ConformancePair> {
  return async () => {
    const worker = await pool.acquire();
    const hub = createPrimary(testContract, { serialization, handlers: primaryHandlers() });
    hub.on('error', () => {});
    const handle = hub.attach(worker, { serialization });
    let closed: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closed ??= hub.close().then(() => pool.release(worker)));
    return { primary: handle, worker: undefined, close };
  };
}

export { BOUND, isAlive, withTimeout };
