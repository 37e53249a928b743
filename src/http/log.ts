// The one way the HTTP layer writes for people to read: every line goes through `log`, so that one
// place can route them elsewhere (a user's logger) later. Imports nothing of the library.

/** How serious a line is. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Writes one line about the cluster, prefixed with the package's name, on stderr. */
export function log(level: LogLevel, message: string): void {
  // Every level on stderr: stdout belongs to the application.
  void level; // kept for the logger that will receive it
  console.error(`typed-cluster-rpc: ${message}`);
}
