// The one way the HTTP layer writes for people to read: every line goes through `log`, to the
// logger the user chose (the console by default), prefixed with the package's name.
import type { LogSink } from '../logger.js';

/** How serious a line is. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Writes one line about the cluster to `sink` at `level`. */
export function log(sink: LogSink, level: LogLevel, message: string): void {
  sink[level](`typed-cluster-rpc: ${message}`);
}
