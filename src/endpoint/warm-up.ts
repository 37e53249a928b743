// Warms the schemas an endpoint will run, from its construction on (while its handshake travels):
// each zod object schema's parser is compiled then rather than inside the first call
// (src/contract/warm.ts says how, and why no user code runs). One schema per turn of the event
// loop (setImmediate), so that a handshake or calls arriving meanwhile are served between two
// compilations. Started after the handshake was heard instead, it met the first call, which
// follows the handshake at once, and made it slower (bench/PROFILE-NOTES.md section 9.4).
import type { ProcedureDef } from '../contract/contract.js';
import { warmable, warmObjectSchema } from '../contract/warm.js';
import type { ResolvedEndpointOptions } from './options.js';

/** The schemas this side runs on its calls: those of the procedures it serves, and the caller's checks it is set to make. */
export function schemasToWarm(
  served: Iterable<{ readonly def: ProcedureDef }>,
  calls: Iterable<ProcedureDef>,
  options: Pick<ResolvedEndpointOptions, 'validateInput' | 'validateOutput'>,
): unknown[] {
  const schemas: unknown[] = [];
  for (const { def } of served) schemas.push(def.input, def.output);
  for (const def of calls) {
    if (options.validateInput === 'both') schemas.push(def.input);
    if (options.validateOutput === 'both') schemas.push(def.output);
  }
  return schemas.filter((schema) => schema !== undefined);
}

/** Compiles the object schemas under `schemas`, one per setImmediate, until done or `stopped()`. */
export function warmUp(schemas: readonly unknown[], stopped: () => boolean): void {
  let queue: object[] = [];
  let next = 0;
  let found = false;
  const step = (): void => {
    if (stopped()) return;
    if (!found) {
      found = true;
      // A schema shared by several procedures (or nested in several) is warmed once.
      queue = [...new Set(schemas.flatMap((schema) => warmable(schema)))];
    } else if (next < queue.length && !warmObjectSchema(queue[next++]!)) {
      return; // zod did not behave as proven: leave the rest cold
    }
    if (next < queue.length) setImmediate(step).unref();
  };
  setImmediate(step).unref();
}
