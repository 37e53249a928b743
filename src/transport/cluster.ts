// Cluster IPC transports: the primary's end for one worker, and a worker's end to its primary.
// The only module of the RPC core that touches process channels. Must not import endpoint or cluster.
import type { MessageOptions } from 'node:child_process';
import type { Worker } from 'node:cluster';
import type { Envelope } from '../protocol/frames.js';
import type { Serialization } from '../protocol/payload.js';
import { BatchingTransport, type WriteDone } from './batching.js';

/** The env variable through which the primary tells a forked worker its IPC serialization. */
export const SERIALIZATION_ENV = 'TYPED_CLUSTER_RPC_SERIALIZATION';


/**
 * A cluster Worker re-emits its process's 'error' events; with no listener one would throw in the
 * primary. One shared listener per worker, added once and kept for its life: a late channel error
 * after the transport closed must not crash the primary either.
 */
const guarded = new WeakSet<Worker>();
const ignore = (): void => {};
function guardErrors(worker: Worker): void {
  if (guarded.has(worker)) return;
  guarded.add(worker);
  worker.on('error', ignore);
}

/**
 * Writes without a callback: node then neither calls back nor emits 'error' when a write fails
 * (node's `swallowErrors`, honoured by Node 20 and later); the channel's disconnect follows. See
 * BatchingTransport's `doneOnEveryWrite`.
 */
const SWALLOW = { swallowErrors: true } as unknown as MessageOptions;

/** How long, after a worker's channel closes, to wait for its exit status. */
const EXIT_WAIT_MS = 50;

/** The primary's end of one worker's IPC channel. */
export class WorkerTransport extends BatchingTransport {
  readonly #worker: Worker;
  readonly #onMessage = (message: unknown): void => this.deliver(message);
  readonly #onExit = (code: number | null, signal: NodeJS.Signals | null): void => this.#gone(code, signal);
  // A dying worker's channel closes a moment before its exit is reaped. Wait that moment (bounded)
  // so the error can name the exit code or signal; a worker that lives on is reported as disconnected.
  readonly #onDisconnect = (): void => {
    const child = this.#worker.process;
    if (child.exitCode !== null || child.signalCode !== null) return this.#gone(child.exitCode, child.signalCode);
    setTimeout(() => this.#gone(child.exitCode, child.signalCode), EXIT_WAIT_MS).unref();
  };

  constructor(worker: Worker, serialization: Serialization) {
    super(serialization, `worker ${worker.id} (pid ${worker.process.pid ?? '?'})`);
    this.#worker = worker;
    const child = worker.process;
    child.on('message', this.#onMessage);
    child.once('exit', this.#onExit);
    child.once('disconnect', this.#onDisconnect);
    guardErrors(worker);
    if (!child.connected) queueMicrotask(() => this.#gone(child.exitCode, child.signalCode));
  }

  #gone(exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.peerGone({ peer: this.peerName, workerId: this.#worker.id, exitCode, signal });
  }

  protected write(message: Envelope, done: WriteDone | undefined): boolean {
    const child = this.#worker.process;
    return done === undefined ? child.send(message, undefined, SWALLOW) : child.send(message, undefined, undefined, done);
  }

  protected override get doneOnEveryWrite(): boolean {
    return false;
  }

  protected isConnected(): boolean {
    return this.#worker.process.connected;
  }

  protected detach(): void {
    const child = this.#worker.process;
    child.off('message', this.#onMessage);
    child.off('exit', this.#onExit);
    child.off('disconnect', this.#onDisconnect);
  }
}

/** A worker's end of its IPC channel to the primary. */
export class PrimaryTransport extends BatchingTransport {
  readonly #onMessage = (message: unknown): void => this.deliver(message);
  readonly #onDisconnect = (): void => this.peerGone({ peer: 'the primary', workerId: undefined, exitCode: null, signal: null });

  constructor(serialization: Serialization) {
    super(serialization, 'the primary');
    if (typeof process.send !== 'function') {
      throw new Error('connectPrimary: this process has no IPC channel (it was not forked by cluster.fork or child_process.fork)');
    }
    process.on('message', this.#onMessage);
    process.once('disconnect', this.#onDisconnect);
    if (!process.connected) queueMicrotask(this.#onDisconnect);
  }

  protected write(message: Envelope, done: WriteDone | undefined): boolean {
    return done === undefined ? process.send!(message, undefined, SWALLOW) : process.send!(message, undefined, undefined, done);
  }

  protected override get doneOnEveryWrite(): boolean {
    return false;
  }

  protected isConnected(): boolean {
    return process.connected;
  }

  protected detach(): void {
    process.off('message', this.#onMessage);
    process.off('disconnect', this.#onDisconnect);
  }
}
