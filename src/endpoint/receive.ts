// What a peer holds received payloads to: its own maxPayloadBytes (measured cheaply, see
// protocol/payload.ts `receivedTooLarge`) and, with validateOutput 'both', the output schema of
// the call a reply answers. Knows nothing of transports.
import type { ProcedureDef } from '../contract/contract.js';
import { check, type Checked } from '../contract/schema.js';
import { RpcPayloadTooLargeError, RpcValidationError, type RpcError } from '../errors.js';
import type { CallFrame, EventFrame, OkFrame } from '../protocol/frames.js';
import { receivedTooLarge, type Serialization } from '../protocol/payload.js';
import type { ResolvedEndpointOptions } from './options.js';
import type { PendingCall, PendingCalls } from './pending.js';

export interface ReceiveConfig {
  readonly options: ResolvedEndpointOptions;
  readonly serialization: Serialization;
  readonly calls: ReadonlyMap<string, ProcedureDef>;
  readonly peerName: () => string;
  /** Reports a problem once (the 'error' listener and the protocolErrors counter). */
  readonly problem: (error: Error) => void;
  readonly stats: { validationFailures: number };
}

export class ReceiveChecks {
  readonly #limit: number;
  readonly #serialization: Serialization;
  readonly #config: ReceiveConfig;
  readonly #validateOutput: boolean;

  constructor(config: ReceiveConfig) {
    this.#config = config;
    this.#limit = config.options.maxPayloadBytes;
    this.#serialization = config.serialization;
    this.#validateOutput = config.options.validateOutput === 'both';
  }

  /** Whether a received frame's payload is over this side's limit. */
  tooLarge(frame: CallFrame | OkFrame | EventFrame): boolean {
    return receivedTooLarge(frame.p, frame.z, this.#limit, this.#serialization);
  }

  /** A received payload over this side's limit: reported once, and the error for its caller. */
  oversized(method: string, what: 'input' | 'output' | 'event'): RpcError {
    const error = new RpcPayloadTooLargeError(method, this.#limit);
    error.message =
      `${what} of "${method}" from ${this.#config.peerName()} is larger than this side's ` +
      `maxPayloadBytes (${this.#limit} bytes): refused on receipt`;
    this.#config.problem(error);
    return error;
  }

  /** Settles a live call with its reply: held to the size limit and, with validateOutput 'both', the output schema. */
  reply(pending: PendingCall, frame: OkFrame, table: PendingCalls): void {
    if (this.tooLarge(frame)) return table.reject(pending, this.oversized(pending.method, 'output'));
    const schema = this.#validateOutput ? this.#config.calls.get(pending.method)?.output : undefined;
    if (schema === undefined) return table.resolve(pending, frame.p);
    const settle = (c: Checked): void => {
      if (!table.isLive(pending)) return; // settled meanwhile (timeout, abort, close)
      if (c.ok) return table.resolve(pending, frame.p);
      this.#config.stats.validationFailures++;
      table.reject(pending, new RpcValidationError(pending.method, 'output', c.issues));
    };
    const checked = check(schema, frame.p);
    if (checked instanceof Promise) void checked.then(settle);
    else settle(checked);
  }
}
