// The IPC lab: hubs, forked workers and the four contestants on each worker's one channel
// (typed-cluster-rpc's handle, a bare process.send echo, birpc, the naive typed RPC). Every fork is
// registered for cleanup.
import type { ChildProcess } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { createBirpc, type BirpcReturn } from 'birpc';
import { createPrimary, type PrimaryHub, type Serialization, type WorkerHandle } from '../src/index.js';
import { benchContract, isBirpcMessage, isRawMessage, RAW_TAG, READY_TAG, type BirpcWorkerFunctions } from './contract.js';
import { withTimeout, type SuiteContext } from './lib.js';
import { NaiveClient } from './naive.js';

export type BenchContract = typeof benchContract;

const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/ipc-worker.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 3_000;

/**
 * The naive raw contestant: one process.send per call, replies matched to their call by id in a
 * Map. Sequentially, with one call in flight, it is the bare echo round trip.
 */
export class RawClient {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #seq = 0;
  #gone: Error | undefined;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', this.#onMessage);
    // A worker that dies fails the calls waiting on it at once, rather than at the block's bound.
    child.once('exit', (code, signal) => {
      this.#gone = new Error(`raw echo: worker pid ${child.pid} exited (${code ?? signal})`);
      for (const { reject } of this.#pending.values()) reject(this.#gone);
      this.#pending.clear();
    });
  }

  call(payload: unknown): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone);
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ [RAW_TAG]: id, p: payload });
    });
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isRawMessage(message)) return;
    const id = message[RAW_TAG];
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.resolve(message.p);
  };
}

/** One worker and the four ways to call it. */
export interface Contestants {
  readonly worker: Worker;
  readonly handle: WorkerHandle<BenchContract>;
  readonly raw: RawClient;
  readonly birpc: BirpcReturn<BirpcWorkerFunctions, Record<string, never>>;
  readonly naive: NaiveClient;
}

export interface HubOptions {
  readonly serialization: Serialization;
  /** Omitted: the library's default. */
  readonly captureCallStack?: boolean;
  /** Omitted: the library's default ('callee'). */
  readonly validateOutput?: 'callee' | 'both';
}

export class IpcLab {
  readonly #hubs = new Map<string, PrimaryHub<BenchContract>>();
  readonly #workers = new Set<Worker>();
  readonly #ctx: SuiteContext;
  #closed = false;

  constructor(ctx: SuiteContext) {
    this.#ctx = ctx;
    if (!cluster.isPrimary) throw new Error('the IPC lab runs in the primary');
    cluster.setupPrimary({ exec: WORKER_SCRIPT });
    ctx.defer(() => this.close());
    // Last resort: whatever way this process ends, no worker outlives it.
    process.once('exit', () => {
      for (const w of this.#workers) if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill('SIGKILL');
    });
  }

  /** The hub named `name`, created with `options` the first time. */
  hub(name: string, options: HubOptions): PrimaryHub<BenchContract> {
    let hub = this.#hubs.get(name);
    if (hub === undefined) {
      hub = createPrimary(benchContract, options);
      this.#hubs.set(name, hub);
    }
    return hub;
  }

  /** Forks a worker on `hub`, waits until its listeners are up, and wires the four contestants. */
  async fork(hub: PrimaryHub<BenchContract>): Promise<Contestants> {
    if (this.#closed) throw new Error('the IPC lab is closed');
    const handle = hub.fork();
    const worker = handle.worker;
    this.#workers.add(worker);
    worker.on('error', () => {});
    const child = worker.process;
    const raw = new RawClient(child);
    const naive = new NaiveClient(child);
    const birpc = createBirpc<BirpcWorkerFunctions, Record<string, never>>(
      {},
      {
        post: (data) => child.send(data),
        on: (fn) => {
          child.on('message', (message) => {
            if (isBirpcMessage(message)) fn(message);
          });
        },
        timeout: 60_000,
      },
    );
    child.once('exit', (code, signal) => birpc.$close(new Error(`birpc: worker pid ${child.pid} exited (${code ?? signal})`)));
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const onMessage = (message: unknown): void => {
          if (typeof message === 'object' && message !== null && Object.hasOwn(message, READY_TAG)) {
            child.off('message', onMessage);
            child.off('exit', onExit);
            resolve();
          }
        };
        const onExit = (code: number | null, signal: string | null): void => reject(new Error(`worker ${worker.id} exited (${code ?? signal}) before it was ready`));
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
      READY_TIMEOUT_MS,
      `worker ${worker.id} ready`,
    );
    return { worker, handle, raw, birpc, naive };
  }

  /** Closes every hub and ends every worker: disconnect, then SIGKILL after a bound. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const hub of this.#hubs.values()) await hub.close().catch(() => {});
    const alive = [...this.#workers].filter((w) => w.process.exitCode === null && w.process.signalCode === null);
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => {
              w.process.kill('SIGKILL');
            }, EXIT_TIMEOUT_MS);
            w.process.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            try {
              if (w.isConnected()) w.disconnect();
              else w.process.kill('SIGKILL');
            } catch {
              w.process.kill('SIGKILL');
            }
          }),
      ),
    );
    this.#ctx.log(`ipc lab: ${alive.length} worker(s) ended`);
  }
}

const labs = new WeakMap<SuiteContext, IpcLab>();

/** The lab of this run, shared by the IPC suites so that they reuse workers. */
export function ipcLab(ctx: SuiteContext): IpcLab {
  let lab = labs.get(ctx);
  if (lab === undefined) {
    lab = new IpcLab(ctx);
    labs.set(ctx, lab);
  }
  return lab;
}

/** The workers the sequential and pipelined suites share, forked on first use. */
export interface SharedWorkers {
  /** 'advanced' hub, default options (captureCallStack off). */
  readonly advanced: Contestants;
  /** 'advanced' hub with captureCallStack on. */
  readonly advancedStack: Contestants;
  /** 'json' hub, default options. */
  readonly json: Contestants;
}

const shared = new WeakMap<SuiteContext, Promise<SharedWorkers>>();

export function sharedWorkers(ctx: SuiteContext): Promise<SharedWorkers> {
  let workers = shared.get(ctx);
  if (workers === undefined) {
    const lab = ipcLab(ctx);
    workers = (async () => {
      ctx.log('forking the shared IPC workers (advanced, advanced with call stacks, json)');
      const advanced = await lab.fork(lab.hub('advanced', { serialization: 'advanced' }));
      const advancedStack = await lab.fork(lab.hub('advanced-stack', { serialization: 'advanced', captureCallStack: true }));
      const json = await lab.fork(lab.hub('json', { serialization: 'json' }));
      return { advanced, advancedStack, json };
    })();
    shared.set(ctx, workers);
  }
  return workers;
}
