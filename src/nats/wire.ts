// The NATS wire of a namespace: subject names, the envelope codec (the protocol's envelope plus
// call acknowledgements), heartbeats, and the errors this layer raises itself. Pure functions.
import { deserialize, serialize } from 'node:v8';
import { RpcNoWorkerError, RpcPayloadTooLargeError, RpcPeerExitedError, RpcRemoteError, type RpcError } from '../errors.js';
import { ENVELOPE_TAG, openEnvelope, PROTOCOL_VERSION, type WireError } from '../protocol/frames.js';
import type { Serialization } from '../protocol/payload.js';
import type { Side } from '../endpoint/setup.js';

/** A member id, or any subject token a sender claims as one. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Subject names of one namespace. `from` and `to` are member ids. */
export class Subjects {
  readonly heartbeat: string;
  constructor(readonly prefix: string) {
    this.heartbeat = `${prefix}.hb`;
  }
  static of(namespace: string): Subjects {
    return new Subjects(`crpc.${namespace}`);
  }
  /** Calls to any member serving `side`; the queue group's name is the subject without the sender. */
  any(side: Side, from: string): string {
    return `${this.prefix}.q.${side}.${from}`;
  }
  anyQueue(side: Side): string {
    return `${this.prefix}.q.${side}`;
  }
  direct(to: string, from: string): string {
    return `${this.prefix}.m.${to}.${from}`;
  }
  events(from: string): string {
    return `${this.prefix}.e.${from}`;
  }
  /** Where the server's no-responders status for message `seq` of member `me` comes back. */
  status(me: string, seq: number): string {
    return `${this.prefix}.s.${me}.${seq}`;
  }
  /** The last token of a subject: the sender, or the status sequence number. */
  static last(subject: string): string {
    return subject.slice(subject.lastIndexOf('.') + 1);
  }
}

/** An incoming NATS message opened: its untrusted frames, and the ids of calls the sender took. */
export interface Decoded {
  readonly frames: readonly unknown[];
  readonly acks: readonly string[];
}

const JSON_HEAD = `{${JSON.stringify(ENVELOPE_TAG)}:${PROTOCOL_VERSION},"f":`;

export function encode(serialization: Serialization, frames: readonly object[], acks: readonly string[] | undefined): Uint8Array {
  if (serialization === 'json') {
    // The envelope's few fixed bytes are written as text around the frames.
    const text = acks === undefined || acks.length === 0 ? `${JSON_HEAD}${JSON.stringify(frames)}}` : `${JSON_HEAD}${JSON.stringify(frames)},"a":${JSON.stringify(acks)}}`;
    return Buffer.from(text);
  }
  return serialize(acks === undefined ? { [ENVELOPE_TAG]: PROTOCOL_VERSION, f: frames } : { [ENVELOPE_TAG]: PROTOCOL_VERSION, f: frames, a: acks });
}

/** Opens an untrusted message. A string says why it was dropped. Never throws. */
export function decode(serialization: Serialization, data: Uint8Array): Decoded | string {
  let message: unknown;
  try {
    message = serialization === 'json' ? JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString()) : deserialize(data);
  } catch {
    return `not ${serialization === 'json' ? 'JSON' : 'a v8-serialized value'}`;
  }
  const opened = openEnvelope(message);
  if (opened === undefined) return 'not an envelope of this library';
  if (typeof opened === 'string') return opened;
  const a = (message as Record<string, unknown>)['a'];
  if (a === undefined) return { frames: opened.frames, acks: [] };
  if (!Array.isArray(a) || a.length > opened.frames.length + 65_536 || !a.every((id) => typeof id === 'string' && id.length <= 64)) return 'bad acknowledgements';
  return { frames: opened.frames, acks: a as string[] };
}

/** What a member announces about itself every heartbeat. */
export interface Heartbeat {
  readonly id: string;
  readonly side: Side;
  readonly host: string;
  readonly pid: number;
  readonly label: string;
  /** Whether it takes calls (`serve` option). */
  readonly serves: boolean;
  readonly since: number;
  readonly load: number;
  /** `up`, `draining` (takes no new calls), or `bye` (gone). */
  readonly state: 'up' | 'draining' | 'bye';
  /** Set when a member joins or reconnects: the others answer with their own heartbeat at once. */
  readonly hello?: boolean;
}

const MAX_HEARTBEAT_BYTES = 2_048;

export function encodeHeartbeat(beat: Heartbeat): Uint8Array {
  return Buffer.from(JSON.stringify({ v: 1, ...beat }));
}

/** Reads an untrusted heartbeat; `undefined` when it is not a valid one. */
export function decodeHeartbeat(data: Uint8Array): Heartbeat | undefined {
  if (data.byteLength > MAX_HEARTBEAT_BYTES) return undefined;
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString());
  } catch {
    return undefined;
  }
  if (typeof b !== 'object' || b === null || b['v'] !== 1) return undefined;
  const { id, side, host, pid, label, since, load, state, serves } = b;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined;
  if (side !== 'primary' && side !== 'worker') return undefined;
  if (state !== 'up' && state !== 'draining' && state !== 'bye') return undefined;
  if (typeof host !== 'string' || host.length > 255 || typeof label !== 'string' || label.length > 64) return undefined;
  if (serves !== undefined && typeof serves !== 'boolean') return undefined;
  if (!Number.isSafeInteger(pid) || !Number.isFinite(since) || !Number.isFinite(load)) return undefined;
  return { id, side, host, pid: pid as number, label, serves: serves !== false, since: since as number, load: load as number, state, ...(b['hello'] === true ? { hello: true } : {}) };
}

// Errors this layer raises for a call (nobody answered, the member went away) travel to the
// endpoint's pending table as an error frame the endpoint rebuilds as an RpcRemoteError; the
// member's facade turns it back into the real class. The marker is a per-process secret, so a
// remote handler cannot forge one.
const SECRET = `${process.pid}.${Math.random().toString(36).slice(2)}`;

/** The error frame payload that stands for `error`, raised on this side. */
export function localError(error: RpcError): WireError {
  const data: Record<string, unknown> = { '~nats': SECRET };
  if (error instanceof RpcPeerExitedError) Object.assign(data, { sent: error.sent, peer: error.message });
  if (error instanceof RpcPayloadTooLargeError) data['limit'] = error.limit;
  return { name: error.name, message: error.message, code: error.code, rpc: true, data };
}

/** The real error behind a rejection, when it stands for one raised on this side. */
export function translate(error: unknown, method: string): unknown {
  if (!(error instanceof RpcRemoteError) || error.data?.['~nats'] !== SECRET) return error;
  const data = error.data;
  switch (error.remoteCode) {
    case 'RPC_NO_WORKER':
      return new RpcNoWorkerError(error.message);
    case 'RPC_PEER_EXITED': {
      const e = new RpcPeerExitedError({ peer: '', workerId: undefined, exitCode: null, signal: null }, data['sent'] === true);
      e.message = error.message;
      return e;
    }
    case 'RPC_PAYLOAD_TOO_LARGE':
      return new RpcPayloadTooLargeError(method, Number(data['limit']) || 0);
    default:
      return error;
  }
}

/** Whether a rejection was raised on this side (it was counted as a remote error by the endpoint). */
export function isLocal(error: unknown): boolean {
  return error instanceof RpcRemoteError && error.data?.['~nats'] === SECRET;
}
