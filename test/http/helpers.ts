// Helpers of the HTTP cluster tests: run the cluster's primary as a child process, read its event
// lines, send it commands, make real HTTP requests, and kill everything a test started.
import { spawn, type ChildProcess } from 'node:child_process';
import { BOUND, isAlive, withTimeout } from '../fixtures/process.js';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVER_FIXTURE = fileURLToPath(new URL('../fixtures/http-server.ts', import.meta.url));


/**
 * Waits until `condition()` holds, checking every `intervalMs`, for at most `ms`. Only for what has no
 * event, such as the death of a process that is not our child.
 */
export async function pollUntil(condition: () => boolean, ms: number, what: string, intervalMs = 25): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Like pollUntil, with an asynchronous check (one at a time). */
export async function pollUntilAsync(condition: () => Promise<boolean>, ms: number, what: string, intervalMs = 25): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface WorkerView {
  readonly id: number;
  readonly pid: number;
  readonly slot: number;
  readonly state: 'starting' | 'ready' | 'draining' | 'gone';
  readonly restarts: number;
  readonly load?: { inFlight: number; handled: number; eventLoopDelayP99Ms: number; reportedAt: number };
}

/** One line the fixture's primary printed. */
export type Line =
  | { type: 'fork'; id: number; pid: number }
  | { type: 'listening'; pid: number; port: number; address: string; workers: WorkerView[] }
  | { type: 'workerReady'; worker: WorkerView }
  | { type: 'workerExited'; worker: WorkerView; code: number | null; signal: string | null; planned: boolean; reason: string }
  | { type: 'workerRestarted'; slot: number; worker: WorkerView; previousPid: number; delayMs: number }
  | { type: 'restartsExhausted'; slot: number; crashes: number; message: string }
  | { type: 'stopped'; code: number }
  | { type: 'degraded'; health: { configured: number; ready: number; degraded: boolean; vacant: { slot: number; reason: string; restarting: boolean }[] } }
  | { type: 'stopForced'; deadlineMs: number; workers: { worker: WorkerView; drained?: number; cutOff?: number; killed: boolean; clean: boolean }[] }
  | { type: 'workerRecycled'; worker: WorkerView; rssBytes: number; limit: number; replacementPid?: number }
  | { type: 'connected'; pid: number }
  | { type: 'reply'; seq: number; ok: boolean; value?: unknown; error?: string };

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running cluster primary (test/fixtures/http-server.ts, or another script) and what it printed. */
export class Cluster {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  /** Every pid of a worker the primary forked. */
  readonly workerPids = new Set<number>();
  readonly exit: Promise<Exit>;
  #stderr = '';
  #stdout = '';
  #seq = 0;
  readonly #waiters = new Set<() => void>();

  constructor(script: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import=tsx', script], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Not 'close': workers share these pipes and may outlive a primary killed by SIGKILL.
    this.exit = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
      this.#notify();
    });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stdout += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const text of parts) {
        if (!text.startsWith('{')) continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          continue;
        }
        this.lines.push(line);
        if (line.type === 'fork') this.workerPids.add(line.pid);
        if ('worker' in line && typeof line.worker === 'object' && line.worker.pid !== undefined) this.workerPids.add(line.worker.pid);
      }
      this.#notify();
    });
    void this.exit.then(() => this.#notify());
  }

  get stderr(): string {
    return this.#stderr;
  }

  get stdout(): string {
    return this.#stdout;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Waits until `check()` returns something other than undefined (re-checked on every output and on exit). */
  until<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
    let waiter: (() => void) | undefined;
    const found = new Promise<T>((resolve, reject) => {
      waiter = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          reject(error);
          return;
        }
        if (value !== undefined) resolve(value);
        else if (this.exited) reject(new Error(`the primary exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}; stderr:\n${this.#stderr}`));
      };
      this.#waiters.add(waiter);
      waiter();
    });
    return withTimeout(found, ms, `${what}; stderr so far:\n${this.#stderr}`).finally(() => {
      if (waiter !== undefined) this.#waiters.delete(waiter);
    });
  }

  /** Waits for the `count`-th line (from the start) of this type that matches. */
  line<K extends Line['type']>(type: K, ms: number, match: (line: Extract<Line, { type: K }>) => boolean = () => true, count = 1): Promise<Extract<Line, { type: K }>> {
    return this.until(
      () => {
        const found = this.lines.filter((l): l is Extract<Line, { type: K }> => l.type === type && match(l as Extract<Line, { type: K }>));
        return found.length >= count ? found[count - 1] : undefined;
      },
      ms,
      `line #${count} of type ${type}`,
    );
  }

  linesOf<K extends Line['type']>(type: K): Extract<Line, { type: K }>[] {
    return this.lines.filter((l): l is Extract<Line, { type: K }> => l.type === type);
  }

  /** Waits for the primary to listen with every worker ready. */
  listening(ms = BOUND.boot): Promise<Extract<Line, { type: 'listening' }>> {
    return this.line('listening', ms);
  }

  /** Sends a command to the fixture's primary and resolves with its reply's value (rejects with its error). */
  async command<T = unknown>(cmd: string, args: Record<string, unknown> = {}, ms = BOUND.reply): Promise<T> {
    const seq = ++this.#seq;
    this.child.stdin!.write(`${JSON.stringify({ seq, cmd, ...args })}\n`);
    const reply = await this.line('reply', ms, (l) => l.seq === seq);
    if (!reply.ok) throw new Error(reply.error);
    return reply.value as T;
  }

  workers(): Promise<WorkerView[]> {
    return this.command<WorkerView[]>('workers');
  }

  /** Resolves with the exit code and signal of the primary, bounded. */
  waitExit(ms: number): Promise<Exit> {
    return withTimeout(this.exit, ms, `the primary to exit; stderr:\n${this.#stderr}`);
  }

  /** SIGKILLs the primary and every worker it printed, and waits (bounded) for the primary's exit. */
  async destroy(): Promise<void> {
    if (!this.exited) this.child.kill('SIGKILL');
    for (const pid of this.workerPids) {
      try {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await withTimeout(this.exit, 15_000, 'the primary to exit in teardown').catch(() => undefined);
  }
}

// At most this many clusters run at once per test file: a CI machine has 2 cores, and a dozen
// clusters booting together would make every bounded wait a race against the machine.
const MAX_CLUSTERS = 3;
let running = 0;
const queued: (() => void)[] = [];

async function clusterSlot(): Promise<() => void> {
  if (running >= MAX_CLUSTERS) await new Promise<void>((resolve) => queued.push(resolve));
  else running++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = queued.shift();
    if (next !== undefined) next();
    else running--;
  };
}

/**
 * Starts the fixture cluster with these env options once fewer than MAX_CLUSTERS of this file run;
 * everything it started is killed in teardown.
 */
export async function startCluster(t: ExecutionContext, env: NodeJS.ProcessEnv = {}, script = SERVER_FIXTURE): Promise<Cluster> {
  const release = await clusterSlot();
  const c = new Cluster(script, env);
  t.teardown(async () => {
    await c.destroy();
    release();
  });
  return c;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A GET on 127.0.0.1 with a new connection (`agent: false`), bounded. */
export function get(port: number, path: string, ms = BOUND.reply): Promise<Reply> {
  return withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(ms, () => req.destroy(new Error(`GET ${path} timed out after ${ms} ms`)));
    }),
    ms + 1_000,
    `GET ${path}`,
  );
}

/** The pid of the worker that answered a plain `{pid}` JSON body. */
export async function pidOf(port: number, path = '/'): Promise<number> {
  const reply = await get(port, path);
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body) as { pid: number }).pid;
}

/** A request to /hold: resolves with the pid of the worker once its first line arrived; the response stays open. */
export function hold(t: ExecutionContext, port: number, ms = BOUND.reply): Promise<{ pid: number; release(): void }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/hold', agent: false }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        const onData = (chunk: string): void => {
          text += chunk;
          if (!text.includes('\n')) return;
          res.off('data', onData);
          res.resume();
          resolve({ pid: Number(text.trim()), release: () => req.destroy() });
        };
        res.on('data', onData);
        res.on('error', () => {});
      });
      req.on('error', reject);
      t.teardown(() => void req.destroy());
    }),
    ms,
    'a /hold response to start',
  );
}

/** Connects to the port: resolves 'connected' or the error code (ECONNREFUSED …), bounded. */
export function tryConnect(port: number, ms = BOUND.reply): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    }),
    ms,
    'a connection attempt',
  );
}

/** Counts how many of these pids occur, per pid. */
export function tally(pids: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const pid of pids) counts.set(pid, (counts.get(pid) ?? 0) + 1);
  return counts;
}

/**
 * Steady load: `clients` loops, each making one request at a time on a new connection, until
 * stopped (in teardown at the latest). Every outcome is recorded; waits are event-driven and bounded.
 */
export class Load {
  readonly results: (Reply | Error)[] = [];
  #stopped = false;
  readonly #loops: Promise<void>[];
  readonly #waiters = new Set<() => void>();

  constructor(t: ExecutionContext, port: number, path: string, clients: number) {
    const loop = async (): Promise<void> => {
      while (!this.#stopped) {
        const result = await get(port, path).catch((error: Error) => error);
        this.results.push(result);
        for (const w of [...this.#waiters]) w();
      }
    };
    this.#loops = Array.from({ length: clients }, loop);
    t.teardown(() => this.stop());
  }

  get failures(): Error[] {
    return this.results.filter((r): r is Error => r instanceof Error);
  }

  get replies(): Reply[] {
    return this.results.filter((r): r is Reply => !(r instanceof Error));
  }

  /** Resolves once `count` more requests than now have finished (either way). */
  more(count: number, ms: number): Promise<void> {
    const target = this.results.length + count;
    let waiter: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      waiter = () => {
        if (this.results.length >= target) resolve();
      };
      this.#waiters.add(waiter);
    });
    return withTimeout(reached, ms, `${count} more requests to finish`).finally(() => this.#waiters.delete(waiter!));
  }

  /** Stops the clients and waits (bounded) for their requests in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await withTimeout(Promise.all(this.#loops), BOUND.reply + 5_000, 'the load clients to stop');
  }
}

export { BOUND, isAlive, withTimeout };
