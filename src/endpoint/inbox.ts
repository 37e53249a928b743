// Events: the outgoing payload's check (size, serializability), and incoming events validated against the contract, delivered to listeners in the order they were
// sent, even past an asynchronous schema. A bad event is reported, never thrown.
import { describe } from '../checks.js';
import type { EventMap } from '../contract/contract.js';
import { check } from '../contract/schema.js';
import { RpcValidationError } from '../errors.js';
import type { EventFrame } from '../protocol/frames.js';
import { measurePayload, payloadError, payloadSize, type Serialization } from '../protocol/payload.js';
import type { Listeners } from './listeners.js';
import type { EndpointStats } from './stats.js';

/** The last event payload measured, shared by every endpoint of the process (a broadcast's hub checks once). */
const lastMeasured: { payload: unknown; size: number } = { payload: undefined, size: 0 };

export class EventInbox {
  readonly #events: ReadonlyMap<string, EventMap[string]>;
  readonly #listeners: Listeners;
  /** Passed to listeners: `{ worker }` on the primary's side. */
  readonly #context: object;
  readonly #stats: EndpointStats;
  /** Reports an event of no contract name (a protocol problem). */
  readonly #unknown: (name: string) => void;
  #chain: Promise<void> | undefined;

  constructor(events: EventMap, listeners: Listeners, context: object, stats: EndpointStats, unknown: (name: string) => void) {
    this.#events = new Map(Object.entries(events));
    this.#listeners = listeners;
    this.#context = context;
    this.#stats = stats;
    this.#unknown = unknown;
  }

  /** Whether the contract has this event. */
  has(name: string): boolean {
    return this.#events.has(name);
  }

  /** Checks an outgoing event: throws what `emit` would, else returns its payload's size estimate. */
  measure(name: string, payload: unknown, limit: number, serialization: Serialization): number {
    if (typeof name !== 'string' || !this.#events.has(name)) {
      throw new TypeError(`emit: ${describe(name)} is not an event of the contract`);
    }
    const size = measurePayload(payload, limit, serialization);
    if (typeof size !== 'number') throw payloadError(name, size, limit);
    lastMeasured.payload = payload;
    lastMeasured.size = size;
    return size;
  }

  /** The size of a payload `measure` passed (a broadcast measures once and sends to every worker). */
  checkedSize(payload: unknown, serialization: Serialization): number {
    return lastMeasured.payload === payload ? lastMeasured.size : Math.max(0, payloadSize(payload, Infinity, serialization));
  }

  receive(frame: EventFrame): void {
    this.#stats.eventsReceived++;
    const schema = this.#events.get(frame.m);
    if (schema === undefined) return this.#unknown(frame.m);
    const deliver = (c: Awaited<ReturnType<typeof check>>): void => {
      if (!c.ok) {
        this.#stats.validationFailures++;
        this.#listeners.error(new RpcValidationError(frame.m, 'event', c.issues), this.#context);
        return;
      }
      this.#listeners.emit(frame.m, c.value, this.#context);
    };
    if (this.#chain === undefined) {
      const checked = check(schema, frame.p);
      if (!(checked instanceof Promise)) return deliver(checked);
      this.#queue(checked.then(deliver));
    } else {
      this.#queue(this.#chain.then(() => check(schema, frame.p)).then(deliver));
    }
  }

  #queue(chain: Promise<void>): void {
    this.#chain = chain;
    void chain.then(() => {
      if (this.#chain === chain) this.#chain = undefined;
    });
  }
}
