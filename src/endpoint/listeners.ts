// Listeners for contract events and endpoint errors. Shared by every peer of a hub, so one
// listener hears all workers; a throwing listener is reported, never thrown into the IPC path.
import type { EventMap } from '../contract/contract.js';
import { describe } from '../checks.js';

type Listener = (payload: any, context: any) => unknown;

export class Listeners {
  readonly #byName = new Map<string, Set<Listener>>();
  /** The contract's events: the names `on` accepts, with 'error'. */
  readonly #events: EventMap;
  #warned = false;
  /** Problems reported while nobody listened to 'error'. */
  unheard = 0;

  constructor(events: EventMap) {
    this.#events = events;
  }

  /** Adds a listener of a contract event or of 'error'; returns its remover. Throws for a bad argument. */
  on(name: string, listener: Listener): () => void {
    if (typeof listener !== 'function') throw new TypeError(`on("${String(name)}"): listener must be a function, got ${describe(listener)}`);
    if (name !== 'error' && !Object.hasOwn(this.#events, name)) {
      throw new TypeError(`on: ${describe(name)} is not an event of the contract (nor 'error')`);
    }
    let set = this.#byName.get(name);
    if (set === undefined) this.#byName.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  off(name: string, listener: Listener): void {
    this.#byName.get(name)?.delete(listener);
  }

  emit(name: string, payload: unknown, context: object): void {
    const set = this.#byName.get(name);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        const result = listener(payload, context);
        if (result instanceof Promise) result.catch((error: unknown) => this.error(asError(error, name), context));
      } catch (error) {
        this.error(asError(error, name), context);
      }
    }
  }

  /** Reports a problem to the 'error' listeners, or, when there are none, as a process warning. */
  error(error: Error, context: object): void {
    const set = this.#byName.get('error');
    if (set === undefined || set.size === 0) {
      this.unheard++;
      if (!this.#warned) {
        this.#warned = true;
        process.emitWarning(`${error.message} (add an 'error' listener to handle these; further ones are counted in stats().unheardErrors)`, {
          type: 'ClusterRpcWarning',
          code: (error as { code?: string }).code ?? 'RPC_PROTOCOL',
        });
      }
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(error, context);
      } catch {
        // An error listener that throws has nowhere left to report to.
      }
    }
  }
}

function asError(thrown: unknown, event: string): Error {
  return thrown instanceof Error ? thrown : new Error(`a listener of "${event}" threw a non-Error value: ${String(thrown)}`);
}
