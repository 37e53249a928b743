// The tracing hooks' loader: `@opentelemetry/api` is an optional peer dependency, imported only by
// `loadRpcTracing`. Its types stay out of this module's declarations (spans.ts holds the code that
// uses them), so a consumer without the package compiles.
import { createRpcTracing } from './spans.js';
import type { RpcTracing, RpcTracingOptions } from './types.js';

/**
 * Loads `@opentelemetry/api` and returns the tracing hooks over the globally registered tracer
 * provider, or undefined when the package is not installed. Nothing is imported before this is
 * called, so a process that never calls it pays nothing.
 * @throws `TypeError` (rejects) for bad options.
 * @public
 */
export async function loadRpcTracing(options: RpcTracingOptions = {}): Promise<RpcTracing | undefined> {
  if (typeof options !== 'object' || options === null) throw new TypeError('loadRpcTracing: options must be an object');
  for (const key of ['tracerName', 'system'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new TypeError(`loadRpcTracing: ${key} must be a non-empty string`);
  }
  if (options.rootSpans !== undefined && typeof options.rootSpans !== 'boolean') throw new TypeError('loadRpcTracing: rootSpans must be a boolean');
  let api: Parameters<typeof createRpcTracing>[0];
  try {
    const mod = (await import('@opentelemetry/api')) as typeof api & { default?: typeof api };
    api = typeof mod.trace === 'object' ? mod : mod.default!;
  } catch {
    return undefined;
  }
  return createRpcTracing(api, options);
}
