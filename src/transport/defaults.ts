// The transport layer's defaults, in one frozen object.

export const TRANSPORT_DEFAULTS = Object.freeze({
  /** Most frames per envelope: bounds one IPC message's size and the time to decode it. */
  maxBatch: 512,
  /** The serialization a memory pair imitates unless told otherwise. */
  memorySerialization: 'advanced' as const,
});
