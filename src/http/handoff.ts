// The least-loaded hand-off, both ends of its protocol: the primary sends an accepted connection
// to a worker with a tag message that rides alone with its socket handle (it is no RPC frame), the
// worker takes it into its server and acknowledges through its next load report, whose
// `connections` count is cumulative. Imports no other module of src/http.
import type { Worker } from 'node:cluster';
import { Socket } from 'node:net';

const HANDOFF_TAG = '~crpc-http';

interface Handoff {
  readonly [HANDOFF_TAG]: 'conn';
}

const HANDOFF: Handoff = Object.freeze({ [HANDOFF_TAG]: 'conn' });

function isHandoff(message: unknown): message is Handoff {
  return typeof message === 'object' && message !== null && Object.hasOwn(message, HANDOFF_TAG) && (message as Record<string, unknown>)[HANDOFF_TAG] === 'conn';
}

/**
 * The primary's end: sends the socket to the worker. `keepOpen: false`: once sent, the primary's
 * copy is closed. If the worker died during the hand-off the connection is closed, not left hanging.
 */
export function handOver(worker: Worker, socket: Socket): void {
  try {
    worker.send(HANDOFF, socket, { keepOpen: false }, (error: Error | null) => {
      if (error) socket.destroy();
    });
  } catch {
    socket.destroy();
  }
}

/**
 * Connections handed to a worker that its reports do not show it has taken yet. Both counts are
 * cumulative (no reset at each report), so a report cannot make a worker look idle while
 * connections are still on their way to it.
 */
export function unacknowledged(handedOver: number, reportedTaken: number | undefined): number {
  return handedOver - (reportedTaken ?? 0);
}

/**
 * The worker's end: takes every handed-over socket into `take`, and acknowledges once the current
 * turn of the event loop is done (several hand-offs in one turn share one acknowledgement). A
 * worker busy burning CPU cannot acknowledge, so what it was handed counts against it in the
 * primary until it can: the balancer sees busy workers.
 */
export function acceptHandoffs(take: (socket: Socket) => void, acknowledge: () => void): void {
  let acknowledging = false;
  const acknowledgeOnce = (): void => {
    acknowledging = false;
    acknowledge();
  };
  process.on('message', (message: unknown, handle: unknown) => {
    if (!isHandoff(message) || !(handle instanceof Socket)) return;
    handle.setNoDelay(true); // as the server's own accept would
    take(handle);
    handle.resume();
    if (!acknowledging) {
      acknowledging = true;
      setImmediate(acknowledgeOnce);
    }
  });
}
