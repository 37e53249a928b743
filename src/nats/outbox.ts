// Frames leave a member through one outbox: those produced in one tick for the same subject travel
// as one NATS message, split under the message limit. Messages that carry calls ask the server
// for its no-responders status, so a call nobody can take fails at once.
import { RpcPayloadTooLargeError } from '../errors.js';
import type { Serialization } from '../protocol/payload.js';
import { encode, type Subjects } from './wire.js';

/** The part of a NATS connection the outbox uses. */
export interface Publisher {
  publish(subject: string, payload: Uint8Array, options?: { reply?: string }): void;
}

/** Who answers for the frames of a batch: told when nobody took its calls, or a frame could not go. */
export interface Route {
  noResponders(callIds: readonly string[]): void;
  refused(frame: object, error: Error): void;
}

class Batch {
  readonly originals: object[] = [];
  readonly wire: object[] = [];
  calls: string[] | undefined;
  acks: string[] | undefined;
  constructor(
    readonly subject: string,
    readonly route: Route,
  ) {}
}

/** How many recent call-carrying messages are remembered for a late no-responders status. */
const STATUS_RING = 4_096;

export class Outbox {
  #batches = new Map<string, Batch>();
  #scheduled = false;
  #seq = 0;
  readonly #ring: ({ seq: number; route: Route; calls: string[] } | undefined)[] = new Array(STATUS_RING);
  /** Messages that could not be published (a NATS client error), and frames refused as too large. */
  failures = 0;

  constructor(
    readonly nc: Publisher,
    readonly serialization: Serialization,
    readonly subjects: Subjects,
    readonly me: string,
    readonly limit: number,
  ) {}

  /** Frames waiting for the next flush. */
  get backlog(): number {
    let n = 0;
    for (const b of this.#batches.values()) n += b.wire.length + (b.acks?.length ?? 0);
    return n;
  }

  /** Queues a frame (`wire` is what is encoded, `original` what the endpoint knows it by). */
  push(subject: string, route: Route, original: object, wire: object, callId?: string): void {
    const batch = this.#batch(subject, route);
    batch.originals.push(original);
    batch.wire.push(wire);
    if (callId !== undefined) (batch.calls ??= []).push(callId);
  }

  /** Queues an acknowledgement: this member took call `id` from the member `subject` leads to. */
  ack(subject: string, route: Route, id: string): void {
    (this.#batch(subject, route).acks ??= []).push(id);
  }

  /** Takes back what was not published to `subject` yet: those frames never left. */
  take(subject: string): Set<object> {
    const batch = this.#batches.get(subject);
    this.#batches.delete(subject);
    return new Set(batch?.originals);
  }

  /** Drops everything queued (the connection is gone), returning the frames that never left. */
  takeAll(): Map<Route, Set<object>> {
    const all = new Map<Route, Set<object>>();
    for (const b of this.#batches.values()) {
      let set = all.get(b.route);
      if (set === undefined) all.set(b.route, (set = new Set()));
      for (const f of b.originals) set.add(f);
    }
    this.#batches.clear();
    return all;
  }

  #batch(subject: string, route: Route): Batch {
    let batch = this.#batches.get(subject);
    if (batch === undefined) this.#batches.set(subject, (batch = new Batch(subject, route)));
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
    return batch;
  }

  readonly flush = (): void => {
    this.#scheduled = false;
    const batches = this.#batches;
    this.#batches = new Map();
    for (const batch of batches.values()) this.#send(batch, 0, batch.wire.length, true);
  };

  /** Publishes frames [from, to) of a batch, halving until each message fits the limit. */
  #send(batch: Batch, from: number, to: number, withAcks: boolean): void {
    const frames = from === 0 && to === batch.wire.length ? batch.wire : batch.wire.slice(from, to);
    const data = encode(this.serialization, frames, withAcks ? batch.acks : undefined);
    if (data.byteLength > this.limit) {
      if (to - from > 1) {
        const middle = (from + to) >>> 1;
        this.#send(batch, from, middle, withAcks);
        this.#send(batch, middle, to, false);
        return;
      }
      if (withAcks && batch.acks !== undefined && to > from) {
        this.#send(batch, from, from, true);
        this.#send(batch, from, to, false);
        return;
      }
      this.failures++;
      const original = batch.originals[from];
      if (original !== undefined) batch.route.refused(original, new RpcPayloadTooLargeError('message', this.limit));
      return;
    }
    const calls = batch.calls === undefined ? undefined : frames === batch.wire ? batch.calls : callsIn(frames);
    try {
      if (calls === undefined || calls.length === 0) {
        this.nc.publish(batch.subject, data);
      } else {
        const seq = ++this.#seq;
        this.#ring[seq % STATUS_RING] = { seq, route: batch.route, calls };
        this.nc.publish(batch.subject, data, { reply: this.subjects.status(this.me, seq) });
      }
    } catch (error) {
      this.failures++;
      const e = error instanceof Error ? error : new Error(String(error));
      for (let i = from; i < to; i++) batch.route.refused(batch.originals[i]!, e);
    }
  }

  /** The server said nobody listens on the subject of message `seq`. */
  noResponders(seq: number): void {
    const entry = this.#ring[seq % STATUS_RING];
    if (entry === undefined || entry.seq !== seq) return;
    this.#ring[seq % STATUS_RING] = undefined;
    entry.route.noResponders(entry.calls);
  }
}

function callsIn(frames: readonly object[]): string[] {
  const ids: string[] = [];
  for (const f of frames) if ((f as { k?: unknown }).k === 'call') ids.push((f as { i: string }).i);
  return ids;
}
