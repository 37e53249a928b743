// Where the library's own messages go: the Logger users may pass, its console default, and the
// check that resolves one. Imports nothing from the library but checks: every layer may import it.
import { describe } from './checks.js';

/**
 * Where typed-cluster-rpc writes its own messages (a supervisor giving up, a problem nobody
 * listened for): pass your application's logger to route them, or functions that do nothing to
 * silence them. `console` fits.
 * @public
 */
export interface Logger {
  /** Something happened that an operator may want to know. */
  info(message: string): void;
  /** Something went wrong and the library carried on. */
  warn(message: string): void;
  /** Something went wrong that needs attention. */
  error(message: string): void;
}

/** A resolved logger: `warn` may be given a code, which the default puts on its process warning. */
export interface LogSink {
  info(message: string): void;
  warn(message: string, code?: string): void;
  error(message: string): void;
}

/** The `type` of the library's process warnings. */
export const WARNING_TYPE = 'ClusterRpcWarning';

/** The default: info to stdout, warnings as process warnings (with their code), errors to stderr. */
export const CONSOLE_LOGGER: LogSink = Object.freeze({
  info: (message: string): void => console.info(message),
  warn: (message: string, code?: string): void =>
    process.emitWarning(message, code === undefined ? { type: WARNING_TYPE } : { type: WARNING_TYPE, code }),
  error: (message: string): void => console.error(message),
});

const sinks = new WeakSet<object>([CONSOLE_LOGGER]);
const LEVELS = ['info', 'warn', 'error'] as const;

/**
 * Resolves a `logger` option: `undefined` is the console default; a logger must have `info`,
 * `warn` and `error` functions, each called as a method of it with the message only. Throws a
 * TypeError naming `where` otherwise.
 */
export function resolveLogger(where: string, logger: unknown): LogSink {
  if (logger === undefined) return CONSOLE_LOGGER;
  if (typeof logger === 'object' && logger !== null && sinks.has(logger)) return logger as LogSink;
  // Other keys are allowed: `console` and application loggers have many more methods.
  if (typeof logger !== 'object' || logger === null) throw new TypeError(`${where}: logger must be an object with info, warn and error functions, got ${describe(logger)}`);
  const given = logger as Record<(typeof LEVELS)[number], unknown>;
  for (const level of LEVELS) {
    if (typeof given[level] !== 'function') {
      throw new TypeError(`${where}: logger.${level} must be a function, got ${given[level] === undefined ? 'none' : describe(given[level])}`);
    }
  }
  const target = logger as Logger;
  const sink: LogSink = Object.freeze({
    info: (message: string): void => target.info(message),
    warn: (message: string): void => target.warn(message),
    error: (message: string): void => target.error(message),
  });
  sinks.add(sink);
  return sink;
}
