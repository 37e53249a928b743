// An in-memory transport pair for tests: frames cross through the same serialization as IPC, on a
// later macrotask, so what would not survive the real wire fails here too.
import { deserialize, serialize } from 'node:v8';
import { checkSerialization } from '../checks.js';
import type { Envelope } from '../protocol/frames.js';
import type { Serialization } from '../protocol/payload.js';
import { BatchingTransport, type WriteDone } from './batching.js';
import { TRANSPORT_DEFAULTS } from './defaults.js';
import type { Transport } from './transport.js';

class MemoryTransport extends BatchingTransport {
  other: MemoryTransport | undefined;
  constructor(serialization: Serialization, peerName: string) {
    super(serialization, peerName);
  }

  protected write(message: Envelope, done: WriteDone | undefined): boolean {
    // Serialize now, as process.send does, so an unserializable frame throws at the sender.
    const copy = this.serialization === 'json' ? JSON.stringify(message) : serialize(message);
    const other = this.other;
    setImmediate(() => {
      if (other === undefined || other.closed) return done?.(new Error('the other end is closed'));
      other.receive(typeof copy === 'string' ? JSON.parse(copy) : deserialize(copy));
      done?.(null);
    });
    return true;
  }

  receive(message: unknown): void {
    this.deliver(message);
  }

  protected isConnected(): boolean {
    return this.other !== undefined && !this.other.closed;
  }

  protected detach(): void {
    const other = this.other;
    this.other = undefined;
    // Like a pipe: when one end closes, the other sees its peer go, after what was in flight.
    if (other !== undefined && !other.closed) setImmediate(() => other.gone());
  }

  gone(): void {
    this.peerGone({ peer: this.peerName, workerId: undefined, exitCode: null, signal: null });
  }
}

/**
 * Options for {@link createMemoryTransportPair}.
 * @public
 */
export interface MemoryTransportOptions {
  /**
   * Which IPC serialization to imitate: frames are copied with `v8.serialize` (`'advanced'`) or
   * `JSON.stringify` (`'json'`), so values behave as they would over real IPC.
   * @defaultValue `'advanced'`
   */
  readonly serialization?: Serialization;
}

/**
 * Two connected in-memory transports, for unit-testing handlers and contracts without processes.
 * Closing one makes the other see its peer go away.
 * @public
 */
export function createMemoryTransportPair(options: MemoryTransportOptions = {}): [Transport, Transport] {
  const serialization = checkSerialization('createMemoryTransportPair', options.serialization ?? TRANSPORT_DEFAULTS.memorySerialization);
  // Each end is named after the peer it talks to.
  const a = new MemoryTransport(serialization, 'memory peer b');
  const b = new MemoryTransport(serialization, 'memory peer a');
  a.other = b;
  b.other = a;
  return [a, b];
}
