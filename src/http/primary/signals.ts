// The primary's process-level wiring: signals (SIGTERM/SIGINT stop, a second one kills, SIGHUP
// reloads) and the process exit once the cluster stopped.
import { log } from '../log.js';
import type { ResolvedHttpOptions } from '../options.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What the signals drive. */
export interface Stoppable {
  reload(): Promise<void>;
  stop(): Promise<number>;
  kill(): Promise<void>;
  on(event: 'stopped', listener: (code: number) => void): unknown;
}

/** The shell's exit code for a process ended by this signal. */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * Handles the signals (with `handleSignals`) until the cluster stops, then exits (with
 * `exitProcess`). Called before the first fork, so a signal during the boot stops what has
 * started instead of killing the primary under its starting workers. Returns the unwiring, for a
 * start that failed.
 */
export function wireProcess(cluster: Stoppable, options: Pick<ResolvedHttpOptions, 'handleSignals' | 'exitProcess' | 'logger'>): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGHUP') {
      cluster.reload().catch((error: Error) => log(options.logger, 'error', error.message));
      return;
    }
    if (++signals > 1) {
      // A second SIGINT or SIGTERM: stop now, with the shell's code for that signal.
      void cluster.kill().then(() => process.exit(signalExitCode(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM')));
      return;
    }
    void cluster.stop();
  };
  const unwire = (): void => {
    if (options.handleSignals) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  if (options.handleSignals) for (const signal of SIGNALS) process.on(signal, onSignal);
  cluster.on('stopped', (code: number) => {
    unwire();
    // After the user's own listeners have seen the event.
    if (options.exitProcess) setImmediate(() => process.exit(code));
  });
  return unwire;
}
