// Emitting to the user's listeners from inside the cluster's own event handlers.
import type { EventEmitter } from 'node:events';
import type { LogSink } from '../../logger.js';

/**
 * Calls each listener of `event`. One that throws must not break the supervisor, which emits from
 * inside the cluster's own event handlers: its error is reported as a warning.
 */
export function tell(emitter: EventEmitter, event: string, payload: unknown, logger: LogSink): void {
  for (const listener of emitter.listeners(event)) {
    try {
      (listener as (value: unknown) => void)(payload);
    } catch (error) {
      logger.warn(`a '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
