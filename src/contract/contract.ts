// Contracts: the names and schemas of procedures and events, and the types inferred from them.
// Pure declarations, no I/O. Must not import anything below the contract layer.
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe } from '../checks.js';
import { isStandardSchema } from './schema.js';

/**
 * One procedure: an optional input schema and an optional output schema. An absent schema means
 * no value (the caller passes nothing, or the handler returns nothing).
 * @public
 */
export interface ProcedureDef {
  /** Schema of the value the caller passes; the callee validates it before the handler runs. */
  readonly input?: StandardSchemaV1;
  /** Schema of the value the handler returns; the callee validates it before replying. */
  readonly output?: StandardSchemaV1;
}

/**
 * Procedures by name.
 * @public
 */
export type ProcedureMap = { readonly [name: string]: ProcedureDef };

/**
 * Event payload schemas by event name.
 * @public
 */
export type EventMap = { readonly [name: string]: StandardSchemaV1 };

/**
 * A contract shared by the primary and its workers.
 * @public
 */
export interface Contract<W extends ProcedureMap = ProcedureMap, P extends ProcedureMap = ProcedureMap, E extends EventMap = EventMap> {
  /** Procedures that every worker serves and the primary calls. */
  readonly worker: W;
  /** Procedures that the primary serves and workers call. */
  readonly primary: P;
  /** One-way messages, in either direction. */
  readonly events: E;
}

/**
 * What {@link defineContract} takes: any of the three maps.
 * @public
 */
export interface ContractDef<W extends ProcedureMap, P extends ProcedureMap, E extends EventMap> {
  /** Procedures that every worker serves and the primary calls. */
  readonly worker?: W;
  /** Procedures that the primary serves and workers call. */
  readonly primary?: P;
  /** One-way messages, in either direction; from the primary they go to every worker. */
  readonly events?: E;
}

/**
 * Event names that a contract may not use, because the endpoints emit them themselves.
 * @public
 */
export const RESERVED_EVENT_NAMES: readonly string[] = Object.freeze(['error']);

const MAX_NAME_LENGTH = 128;

function checkName(where: string, name: string): void {
  if (name === '__proto__') throw new TypeError(`defineContract: "__proto__" cannot name a ${where}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new TypeError(`defineContract: ${where} names must be 1 to ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(name)}`);
  }
}

function checkProcedures(side: 'worker' | 'primary', map: unknown): ProcedureMap {
  if (map === undefined) return Object.freeze({});
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new TypeError(`defineContract: "${side}" must be an object of procedures, got ${describe(map)}`);
  }
  const out: Record<string, ProcedureDef> = {};
  for (const [name, def] of Object.entries(map)) {
    checkName(`${side} procedure`, name);
    if (typeof def !== 'object' || def === null) {
      throw new TypeError(`defineContract: ${side}.${name} must be an object with optional "input" and "output" schemas, got ${describe(def)}`);
    }
    for (const key of Object.keys(def)) {
      if (key !== 'input' && key !== 'output') {
        throw new TypeError(`defineContract: ${side}.${name} has an unknown key "${key}" (expected "input" and/or "output")`);
      }
    }
    const { input, output } = def as { input?: unknown; output?: unknown };
    for (const [key, schema] of [['input', input], ['output', output]] as const) {
      if (schema !== undefined && !isStandardSchema(schema)) {
        throw new TypeError(`defineContract: ${side}.${name}.${key} must be a Standard Schema (zod 4, valibot, arktype …), got ${describe(schema)}`);
      }
    }
    out[name] = Object.freeze({ ...(def as ProcedureDef) });
  }
  return Object.freeze(out);
}

function checkEvents(map: unknown): EventMap {
  if (map === undefined) return Object.freeze({});
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new TypeError(`defineContract: "events" must be an object of schemas, got ${describe(map)}`);
  }
  const out: Record<string, StandardSchemaV1> = {};
  for (const [name, schema] of Object.entries(map)) {
    checkName('event', name);
    if (RESERVED_EVENT_NAMES.includes(name)) {
      throw new TypeError(`defineContract: the event name "${name}" is reserved for the endpoint's own errors`);
    }
    if (!isStandardSchema(schema)) {
      throw new TypeError(`defineContract: events.${name} must be a Standard Schema (zod 4, valibot, arktype …), got ${describe(schema)}`);
    }
    out[name] = schema;
  }
  return Object.freeze(out);
}

/**
 * Declares a contract: the procedures each side serves and the events either side emits. The
 * primary and every worker import the same contract, so names and payloads are checked at compile
 * time and validated at run time.
 *
 * @throws `TypeError` when a map, a name or a schema is malformed, naming what was wrong.
 * @example
 * ```ts
 * export const chat = defineContract({
 *   worker: { greet: { input: z.object({ name: z.string() }), output: z.string() } },
 *   primary: { log: { input: z.object({ text: z.string() }) } },
 *   events: { configChanged: z.object({ version: z.number() }) },
 * });
 * ```
 * @public
 */
export function defineContract<const W extends ProcedureMap = {}, const P extends ProcedureMap = {}, const E extends EventMap = {}>(
  def: ContractDef<W, P, E>,
): Contract<W, P, E> {
  if (typeof def !== 'object' || def === null) {
    throw new TypeError(`defineContract: expected an object with "worker", "primary" and/or "events", got ${describe(def)}`);
  }
  for (const key of Object.keys(def)) {
    if (key !== 'worker' && key !== 'primary' && key !== 'events') {
      throw new TypeError(`defineContract: unknown key "${key}" (expected "worker", "primary" and/or "events")`);
    }
  }
  return Object.freeze({
    worker: checkProcedures('worker', def.worker),
    primary: checkProcedures('primary', def.primary),
    events: checkEvents(def.events),
  }) as unknown as Contract<W, P, E>;
}

/**
 * The value a caller passes to a procedure.
 * @public
 */
export type CallInput<D extends ProcedureDef> = D extends { readonly input: infer S extends StandardSchemaV1 } ? StandardSchemaV1.InferInput<S> : undefined;

/**
 * The value a handler receives: the input after its schema parsed it.
 * @public
 */
export type HandlerInput<D extends ProcedureDef> = D extends { readonly input: infer S extends StandardSchemaV1 } ? StandardSchemaV1.InferOutput<S> : undefined;

/**
 * The value a handler returns, before the output schema parses it.
 * @public
 */
export type HandlerOutput<D extends ProcedureDef> = D extends { readonly output: infer S extends StandardSchemaV1 } ? StandardSchemaV1.InferInput<S> : void;

/**
 * The value a call resolves to.
 * @public
 */
export type CallOutput<D extends ProcedureDef> = D extends { readonly output: infer S extends StandardSchemaV1 } ? StandardSchemaV1.InferOutput<S> : void;

/**
 * The payload an emitter passes for an event.
 * @public
 */
export type EventInput<S extends StandardSchemaV1> = StandardSchemaV1.InferInput<S>;

/**
 * The payload a listener receives, after the event's schema parsed it.
 * @public
 */
export type EventOutput<S extends StandardSchemaV1> = StandardSchemaV1.InferOutput<S>;
