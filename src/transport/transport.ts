// The seam between the RPC core and whatever moves its frames (cluster IPC, memory, later NATS).
// Knows frames, not contracts. Must not import the endpoint or cluster layers.
import type { PeerExitInfo } from '../errors.js';
import type { Serialization } from '../protocol/payload.js';

/**
 * Why a transport closed, and which frames never left this process.
 * @public
 */
export interface TransportClose {
  /** Who the peer was and how it went away. */
  readonly peer: PeerExitInfo;
  /** Frames handed to `send` that were not delivered to the channel. */
  readonly unsent: ReadonlySet<object>;
  /** `true` when this side closed the transport itself (the peer did not go away). */
  readonly local: boolean;
}

/**
 * What the endpoint gives a transport to call.
 * @public
 */
export interface TransportReceiver {
  /** An incoming frame, untrusted: the endpoint checks its shape. */
  frame(frame: unknown): void;
  /** The transport closed; it calls nothing more after this. */
  closed(info: TransportClose): void;
  /** Something malformed arrived, or a send failed; the endpoint reports it. */
  problem(error: Error): void;
  /** A frame could not be serialized; the endpoint fails what it belonged to. */
  refused(frame: object, error: Error): void;
}

/**
 * Moves frames between two ends. The RPC core talks only to this interface; the cluster IPC
 * transports, the in-memory pair and, later, a NATS transport implement it.
 * @public
 */
export interface Transport {
  /** What values survive the trip: `'advanced'` carries what structured clone carries, `'json'` what JSON does. */
  readonly serialization: Serialization;
  /** A name for the peer, for error messages: `worker 3 (pid 1234)`, `the primary`. */
  readonly peerName: string;
  /** `true` once the transport closed; `send` then refuses frames. */
  readonly closed: boolean;
  /** Frames accepted by `send` and waiting for the channel (backpressure), for introspection. */
  readonly backlog: number;
  /** Starts delivering frames to the receiver. Called once, by the endpoint. */
  start(receiver: TransportReceiver): void;
  /**
   * Queues a frame. Frames produced in the same tick travel as one batch; a full channel queues
   * them until it drains, never drops them. Returns false when the transport is closed. Frames
   * are the protocol's business: a transport carries them without looking inside.
   */
  send(frame: object): boolean;
  /** Flushes what is queued (best effort) and closes. The receiver's `closed` is called. */
  close(): void;
}
