// The one message that does not travel as an RPC frame: a connection handed from the primary to
// a worker, which must ride alone with its socket handle.

const HANDOFF_TAG = '~crpc-http';

export interface Handoff {
  readonly [HANDOFF_TAG]: 'conn';
}

export const HANDOFF: Handoff = Object.freeze({ [HANDOFF_TAG]: 'conn' });

export function isHandoff(message: unknown): message is Handoff {
  return typeof message === 'object' && message !== null && Object.hasOwn(message, HANDOFF_TAG) && (message as Record<string, unknown>)[HANDOFF_TAG] === 'conn';
}
