// Batching and backpressure shared by every message-passing transport: frames sent in the same
// tick leave as one envelope on a microtask; a full channel holds the queue until it drains.
import type { PeerExitInfo } from '../errors.js';
import { envelope, handshake, openEnvelope, type Envelope, type Frame } from '../protocol/frames.js';
import { inspectPayload, type Serialization } from '../protocol/payload.js';
import { TRANSPORT_DEFAULTS } from './defaults.js';
import type { Transport, TransportReceiver } from './transport.js';

/** Called by the channel when a write finished: `error` set when it was not delivered. */
export type WriteDone = (error?: Error | null) => void;

const EMPTY: Frame[] = [];

/**
 * The flush is scheduled as a reaction of this settled promise rather than by `queueMicrotask`:
 * the same microtask queue, without the `AsyncResource` and bound function node's
 * `queueMicrotask` allocates per call (about 0.05 µs per flush, bench/PROFILE-NOTES.md section 9).
 */
const SETTLED = Promise.resolve();

/**
 * A transport over a message channel: subclasses say how to write one envelope and call
 * `deliver` and `peerGone`; this class batches, respects backpressure and keeps track of what
 * was never sent.
 */
export abstract class BatchingTransport implements Transport {
  /** What the channel carries: as told at construction, then as the peer's handshake shows it. */
  #serialization: Serialization;
  readonly peerName: string;
  readonly #maxBatch: number;
  #queue: Frame[] = [];
  #scheduled = false;
  #blocked = false;
  #closed = false;
  /** Whether the other side has shown it listens; frames wait until it has. */
  #peerListening = false;
  #receiver: TransportReceiver | undefined;
  readonly #failed = new Set<object>();

  constructor(serialization: Serialization, peerName: string, maxBatch = TRANSPORT_DEFAULTS.maxBatch) {
    this.#serialization = serialization;
    this.peerName = peerName;
    this.#maxBatch = maxBatch;
  }

  get serialization(): Serialization {
    return this.#serialization;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get backlog(): number {
    return this.#queue.length;
  }

  /** Whether the other side's handshake was heard: until then, frames wait here. */
  get handshaken(): boolean {
    return this.#peerListening;
  }

  /**
   * Writes one envelope to the channel. Returns false when the channel asks the writer to wait
   * (a `done` then signals when to resume). May throw when the envelope cannot be serialized.
   * `done` is undefined when `doneOnEveryWrite` is false: the channel must then neither throw nor
   * emit when the write fails (its close event follows).
   */
  protected abstract write(message: Envelope, done: WriteDone | undefined): boolean;
  /**
   * Whether every write takes a `done`. A channel whose failed writes are followed by its close
   * event says false: a callback per write costs a closure and, in node's IPC, a `process.nextTick`
   * (0.4 to 0.7 µs per sequential call, bench/PROFILE-NOTES.md). Its writes then report failure
   * only by that close event, so their frames count as possibly sent; and when a write asks to
   * wait, an empty envelope written with a `done` says when the channel drained (writes finish
   * in order).
   */
  protected get doneOnEveryWrite(): boolean {
    return true;
  }
  /** Whether the channel can take writes now. */
  protected abstract isConnected(): boolean;
  /** Stops listening to the channel. */
  protected abstract detach(): void;

  start(receiver: TransportReceiver): void {
    if (this.#receiver !== undefined) throw new Error('transport already started');
    this.#receiver = receiver;
    this.#handshake(1);
  }

  #handshake(step: 1 | 2): void {
    if (!this.isConnected()) return;
    try {
      this.write(handshake(step), this.doneOnEveryWrite ? () => {} : undefined);
    } catch {
      // A channel that cannot take an empty envelope is closing; its close event follows.
    }
  }

  send(frame: Frame): boolean {
    if (this.#closed) return false;
    this.#queue.push(frame);
    this.#schedule();
    return true;
  }

  #schedule(): void {
    if (!this.#scheduled && !this.#blocked && this.#peerListening) {
      this.#scheduled = true;
      void SETTLED.then(this.#flushOrThrow);
    }
  }

  close(): void {
    if (this.#closed) return;
    // A full channel is advice, not a refusal: the last frames (replies, 'bye') go out anyway.
    this.#blocked = false;
    if (this.#peerListening) this.#flush();
    this.#finish({ peer: this.peerName, workerId: undefined, exitCode: null, signal: null }, true);
  }

  /** Hands an incoming channel message to the receiver. Never throws. */
  protected deliver(message: unknown): void {
    const receiver = this.#receiver;
    if (receiver === undefined || this.#closed) return;
    const opened = openEnvelope(message);
    if (opened === undefined) return;
    if (typeof opened === 'string') {
      receiver.problem(new Error(`malformed message from ${this.peerName}: ${opened}`));
      return;
    }
    if (opened.handshake !== undefined) {
      if (opened.channel !== undefined && opened.channel !== this.#serialization) this.#learn(opened.channel, receiver);
      if (opened.handshake === 1) this.#handshake(2);
      if (!this.#peerListening) {
        this.#peerListening = true;
        this.#schedule();
      }
    }
    for (const frame of opened.frames) {
      if (this.#closed) return; // a frame closed the endpoint: the rest is not delivered
      try {
        receiver.frame(frame);
      } catch (error) {
        receiver.problem(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /**
   * The peer's handshake showed what the channel really carries. Frames queued meanwhile were
   * checked against the guess: under 'json', those JSON would change are refused before they leave.
   */
  #learn(channel: Serialization, receiver: TransportReceiver): void {
    this.#serialization = channel;
    if (channel !== 'json' || this.#queue.length === 0) return;
    const refused: [Frame, string][] = [];
    this.#queue = this.#queue.filter((frame) => {
      if (!('p' in frame)) return true;
      const problem = inspectPayload(frame.p, Infinity, 'json');
      if (problem?.kind !== 'unserializable') return true;
      const at = problem.path.length > 0 ? ` at ${problem.path.map(String).join('.')}` : '';
      refused.push([frame, `${problem.detail}${at}; the channel turned out to be 'json'`]);
      return false;
    });
    for (const [frame, detail] of refused) receiver.refused(frame, new Error(detail));
  }

  /** The channel is gone for good: report it once, with every frame that never left. */
  protected peerGone(peer: PeerExitInfo): void {
    this.#finish(peer, false);
  }

  #finish(peer: PeerExitInfo, local: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    const unsent = new Set<object>(this.#failed);
    for (const frame of this.#queue) unsent.add(frame);
    this.#queue = [];
    this.detach();
    this.#receiver?.closed({ peer, unsent, local });
  }

  /** `#flush` as a promise reaction: what it throws is rethrown as an uncaught exception, as from `queueMicrotask`. */
  readonly #flushOrThrow = (): void => {
    try {
      this.#flush();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  };

  readonly #flush = (): void => {
    this.#scheduled = false;
    while (this.#queue.length > 0 && !this.#blocked && !this.#closed && this.#peerListening) {
      if (!this.isConnected()) return; // the channel's close event settles what is queued
      let batch = this.#queue;
      if (batch.length > this.#maxBatch) {
        // Take the batches from a snapshot with an index: slicing the queue's rest each time would
        // copy it once per batch under a large backlog.
        const all = this.#queue;
        this.#queue = [];
        let at = 0;
        for (; at < all.length && !this.#blocked && !this.#closed; at += this.#maxBatch) this.#write(all.slice(at, at + this.#maxBatch));
        if (at < all.length) this.#queue = all.slice(at).concat(this.#queue);
        continue;
      }
      this.#queue = [];
      this.#write(batch);
    }
  };

  #write(batch: Frame[]): void {
    let accepted = true;
    const every = this.doneOnEveryWrite;
    try {
      accepted = this.write(envelope(batch), every ? (error) => this.#written(batch, accepted, error) : undefined);
    } catch (error) {
      // Serialization failed. Send the frames one by one so that only the bad one fails.
      if (batch.length > 1) {
        for (const frame of batch) this.#write([frame]);
      } else if (batch[0] !== undefined) {
        this.#receiver?.refused(batch[0], error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (!accepted) {
      this.#blocked = true;
      if (!every) this.#awaitDrain();
    }
  }

  /** The last write asked to wait and had no `done`: an empty envelope behind it tells when it finished. */
  #awaitDrain(): void {
    try {
      this.write(envelope([]), (error) => this.#written(EMPTY, false, error));
    } catch {
      // Not expected for an empty envelope; the channel's close event settles what is queued.
    }
  }

  #written(batch: Frame[], accepted: boolean, error: Error | null | undefined): void {
    if (error) for (const frame of batch) this.#failed.add(frame);
    if (!accepted && this.#blocked) {
      this.#blocked = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
