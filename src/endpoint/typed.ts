// The typed surface of an endpoint: what a contract makes of call, emit, on and handlers.
// Types, and the handler normalisation every role shares.
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type {
  CallInput,
  CallOutput,
  EventInput,
  EventMap,
  EventOutput,
  HandlerInput,
  HandlerOutput,
  ProcedureDef,
  ProcedureMap,
} from '../contract/contract.js';
import { checkCount, checkTimeout, describe } from '../checks.js';
import type { AnyHandler, ServedEntry } from './dispatch.js';
import type { ResolvedEndpointOptions } from './options.js';

/**
 * Options of one call.
 * @public
 */
export interface CallOptions {
  /** Overrides the endpoint's timeout for this call, in milliseconds; `Infinity` disables it. */
  readonly timeout?: number;
  /** Aborts the call: the promise rejects with `signal.reason` and the remote handler's signal aborts. */
  readonly signal?: AbortSignal;
}

/** Reads a call's options over the endpoint's `timeout`; throws a TypeError naming `where` for a bad one. */
export function readCallOptions(where: string, options: unknown, timeout: number): { timeout: number; signal: AbortSignal | undefined } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const { timeout: own, signal } = options as CallOptions;
  const checked = own === undefined ? timeout : checkTimeout(where, own);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${where}: signal must be an AbortSignal, got ${describe(signal)}`);
  return { timeout: checked, signal };
}

/**
 * The arguments of `call` for a procedure: its input (optional when the procedure takes none, or
 * its schema accepts `undefined`), then the call's options.
 * @public
 */
export type CallArgs<D extends ProcedureDef> = D extends { readonly input: StandardSchemaV1 }
  ? undefined extends CallInput<D>
    ? [input?: CallInput<D>, options?: CallOptions]
    : [input: CallInput<D>, options?: CallOptions]
  : [input?: undefined, options?: CallOptions];

/**
 * The arguments of `emit` for an event: its payload, optional when the schema accepts `undefined`.
 * @public
 */
export type EmitArgs<S extends StandardSchemaV1> = undefined extends EventInput<S> ? [payload?: EventInput<S>] : [payload: EventInput<S>];

/**
 * A procedure's handler: receives the validated input and the call's context, returns the output
 * (or a promise of it).
 * @public
 */
export type Handler<D extends ProcedureDef, Ctx> = (input: HandlerInput<D>, ctx: Ctx) => HandlerOutput<D> | PromiseLike<HandlerOutput<D>>;

/**
 * A handler with its own mailbox settings.
 * @public
 */
export interface HandlerSpec<D extends ProcedureDef, Ctx> {
  /** The handler. */
  readonly handler: Handler<D, Ctx>;
  /**
   * How many calls of this procedure run at once; `1` runs them one at a time in arrival order.
   * @defaultValue the endpoint's `concurrency`
   */
  readonly concurrency?: number;
  /**
   * How many calls of this procedure may wait when `concurrency` is finite.
   * @defaultValue the endpoint's `maxQueue`
   */
  readonly maxQueue?: number;
}

/**
 * One handler for every procedure of a map: a missing handler is a compile error.
 * @public
 */
export type Handlers<P extends ProcedureMap, Ctx> = { readonly [K in keyof P]: Handler<P[K], Ctx> | HandlerSpec<P[K], Ctx> };

/**
 * Calls the procedures of a map.
 * @public
 */
export interface Caller<P extends ProcedureMap> {
  /**
   * Calls a procedure of the other side and resolves to its validated output. Never throws: every
   * failure (bad arguments included) is a rejected promise with an `RpcError` or `signal.reason`.
   */
  call<M extends keyof P & string>(method: M, ...args: CallArgs<P[M]>): Promise<CallOutput<P[M]>>;
}

/**
 * Emits and listens to the events of a map.
 * @public
 */
export interface EventPort<E extends EventMap, Ctx> {
  /**
   * Sends an event to the other side. Throws `TypeError` for an unknown event, and
   * `RpcPayloadTooLargeError` or `RpcUnserializableError` for a payload that cannot be sent.
   */
  emit<N extends keyof E & string>(event: N, ...args: EmitArgs<E[N]>): void;
  /** Listens to an event of the contract; the payload is validated first. Returns a function that stops listening. */
  on<N extends keyof E & string>(event: N, listener: (payload: EventOutput<E[N]>, ctx: Ctx) => void | Promise<void>): () => void;
  /** Listens to the endpoint's problems: invalid events, malformed frames, throwing listeners. */
  on(event: 'error', listener: (error: Error, ctx: Ctx) => void): () => void;
  /** Stops a listener added with `on`. */
  off(event: string, listener: (...args: any[]) => unknown): void;
}

/** Turns a handlers object into the dispatcher's table, checking it against the contract. */
export function normalizeHandlers(
  where: string,
  procedures: ProcedureMap,
  handlers: unknown,
  options: ResolvedEndpointOptions,
): Map<string, ServedEntry> {
  const names = Object.keys(procedures);
  if (handlers === undefined && names.length === 0) return new Map();
  if (typeof handlers !== 'object' || handlers === null) {
    throw new TypeError(`${where}: handlers must be an object with a handler for ${names.map((n) => `"${n}"`).join(', ')}, got ${describe(handlers)}`);
  }
  for (const key of Object.keys(handlers)) {
    if (!Object.hasOwn(procedures, key)) throw new TypeError(`${where}: handlers."${key}" is not a procedure this side serves in the contract`);
  }
  const table = new Map<string, ServedEntry>();
  for (const name of names) {
    const entry: unknown = Object.hasOwn(handlers, name) ? (handlers as Record<string, unknown>)[name] : undefined;
    const def = procedures[name]!;
    if (typeof entry === 'function') {
      table.set(name, { def, handler: entry as AnyHandler, concurrency: undefined, maxQueue: options.maxQueue });
    } else if (typeof entry === 'object' && entry !== null && typeof (entry as { handler?: unknown }).handler === 'function') {
      const spec = entry as { handler: AnyHandler; concurrency?: unknown; maxQueue?: unknown };
      table.set(name, {
        def,
        handler: spec.handler,
        concurrency: spec.concurrency === undefined ? undefined : checkCount(`${where}: handlers.${name}`, 'concurrency', spec.concurrency, true),
        maxQueue: spec.maxQueue === undefined ? options.maxQueue : checkCount(`${where}: handlers.${name}`, 'maxQueue', spec.maxQueue, true, true),
      });
    } else {
      throw new TypeError(`${where}: missing handler for "${name}" (expected a function or { handler }, got ${describe(entry)})`);
    }
  }
  return table;
}
