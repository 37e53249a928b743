// The suites `npm run bench` runs, in order. This list is the extension point: the HTTP suite
// (issue 4, part 4: runHttpCluster against plain node:cluster, and the skewed workload) is appended
// here once the HTTP cluster exists, as one more `Suite` (see bench/lib.ts) in its own file.
import { broadcastSuite } from './broadcast.js';
import type { Suite } from './lib.js';
import { pipelinedSuite } from './pipelined.js';
import { sequentialSuite } from './sequential.js';

export const SUITES: readonly Suite[] = [sequentialSuite, pipelinedSuite, broadcastSuite];

/** Every row id a run of these suites must produce. */
export function expectedRowIds(quick: boolean, only?: readonly string[]): string[] {
  return SUITES.filter((s) => only === undefined || only.includes(s.name)).flatMap((s) => s.rows(quick).map((r) => r.id));
}
