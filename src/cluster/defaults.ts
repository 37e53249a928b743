// The cluster layer's defaults, in one frozen object. The endpoint options' defaults are the
// endpoint layer's (ENDPOINT_DEFAULTS); these are the roles' own.
import type { Serialization } from '../protocol/payload.js';

export const CLUSTER_DEFAULTS: {
  readonly hubSerialization: Serialization;
  readonly workerSerialization: Serialization;
  readonly exitOnDisconnect: boolean;
} = Object.freeze({
  /** The IPC serialization of the workers `createPrimary`'s hub forks. */
  hubSerialization: 'advanced',
  /**
   * A worker's serialization when neither its options nor its environment name one, and what
   * `attach` assumes when `cluster.settings` names none: Node's own default.
   */
  workerSerialization: 'json',
  /** A worker exits when its link to the primary is lost without a planned disconnect. */
  exitOnDisconnect: true,
});
