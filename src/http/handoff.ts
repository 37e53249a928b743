// The least-loaded hand-off, both ends of its protocol. The primary offers an accepted connection
// to a worker with a tagged message that rides alone with its socket handle (it is no RPC frame),
// keeping its own copy of the socket open; the worker answers every offer, accepted or refused,
// and reads no byte of an accepted connection before its answer is on the channel. So the primary
// always knows a connection's fate: accepted (it closes its copy), refused (it deals it again), or
// never answered by a worker that died (no byte was read: it deals it again). Imports no other
// module of src/http.
import type { Worker } from 'node:cluster';
import { Socket } from 'node:net';

const HANDOFF_TAG = '~crpc-http';

interface Offer {
  readonly [HANDOFF_TAG]: 'conn';
  readonly id: number;
}

/** A worker's answer to one offer. */
export interface Answer {
  readonly [HANDOFF_TAG]: 'answer';
  readonly id: number;
  readonly accepted: boolean;
}

function tagged(message: unknown, kind: string): message is Record<string, unknown> {
  return typeof message === 'object' && message !== null && Object.hasOwn(message, HANDOFF_TAG) && (message as Record<string, unknown>)[HANDOFF_TAG] === kind;
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

function isOffer(message: unknown): message is Offer {
  return tagged(message, 'conn') && Object.hasOwn(message, 'id') && isId(message['id']);
}

/** Whether a worker's message is an answer to an offer (it is untrusted: shape checked, own keys only). */
export function isAnswer(message: unknown): message is Answer {
  return tagged(message, 'answer') && Object.hasOwn(message, 'id') && isId(message['id']) && Object.hasOwn(message, 'accepted') && typeof message['accepted'] === 'boolean';
}

/**
 * The primary's end: offers the socket to the worker under `id`, keeping the primary's copy open
 * (`keepOpen`): Node 20 closes a sent copy only on the worker's acknowledgement, and never once
 * the worker's channel has ended, so the primary closes its copy itself once the fate is known.
 * `sent` runs once the offer is written to the channel (Node queues it until the worker has
 * acknowledged the previous socket); `failed` when it could not be (the channel is closed):
 * nothing was sent.
 */
export function offer(worker: Worker, id: number, socket: Socket, sent: () => void, failed: () => void): void {
  const message: Offer = { [HANDOFF_TAG]: 'conn', id };
  try {
    worker.send(message, socket, { keepOpen: true }, (error: Error | null) => (error ? failed() : sent()));
  } catch {
    failed();
  }
}

/** What the worker's end needs of its runtime. */
export interface HandoffTaker {
  /** Whether the worker takes new connections now (false while draining or exiting). */
  accepting(): boolean;
  /** Takes an accepted connection into the server. */
  take(socket: Socket): void;
  /** Runs once per turn of the event loop in which connections were taken (a load report). */
  taken(): void;
}

/**
 * The worker's end: answers every offer. A refused connection is closed at once (only this
 * worker's copy: the primary still holds its own). An accepted one is taken into the server at
 * once but read only once the answer has been written to the channel, so a worker killed before it could answer has read nothing of
 * it and the primary may deal it again.
 */
export function acceptHandoffs(taker: HandoffTaker): void {
  let reporting = false;
  const report = (): void => {
    reporting = false;
    taker.taken();
  };
  const answer = (id: number, accepted: boolean, sent: (error: Error | null) => void): void => {
    const message: Answer = { [HANDOFF_TAG]: 'answer', id, accepted };
    if (!process.connected || process.send === undefined) return sent(new Error('the channel to the primary is closed'));
    process.send(message, undefined, undefined, sent);
  };
  process.on('message', (message: unknown, handle: unknown) => {
    if (!isOffer(message)) return;
    if (!(handle instanceof Socket)) {
      answer(message.id, false, () => {});
      return;
    }
    // Node started reading when it wrapped the handle; nothing has been read yet (no I/O happened
    // since): stop until the answer is out.
    handle.pause();
    handle.on('error', () => {}); // a reset client is the server's concern once taken, nobody's before
    if (!taker.accepting()) {
      handle.destroy();
      answer(message.id, false, () => {});
      return;
    }
    // Into the server now, still paused, so that a drain starting before the answer is written
    // counts it (and waits for its request); read once the answer is out.
    handle.setNoDelay(true); // as the server's own accept would
    taker.take(handle);
    answer(message.id, true, (error) => {
      if (error) {
        handle.destroy();
        return;
      }
      handle.resume();
      if (!reporting) {
        reporting = true;
        setImmediate(report);
      }
    });
  });
}

/**
 * Connections handed to a worker that its reports do not show it has taken yet. Both counts are
 * cumulative (no reset at each report), so a report cannot make a worker look idle while
 * connections are still on their way to it.
 */
export function unacknowledged(handedOver: number, reportedTaken: number | undefined): number {
  return handedOver - (reportedTaken ?? 0);
}
