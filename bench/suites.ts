// The suites `npm run bench` runs, in order. This list is the extension point: each suite is one
// `Suite` (see bench/lib.ts) in its own file. The HTTP suite (issue 4, part 4: runHttpCluster
// against plain node:cluster, and the skewed workload) runs in server processes of its own; so do
// the reload and scrape suites (HTTP clusters driven over stdin) and NATS (its own nats-server).
import { broadcastSuite } from './broadcast.js';
import { coldSuite } from './cold.js';
import { httpSuite } from './http.js';
import type { Suite } from './lib.js';
import { natsSuite } from './nats.js';
import { observeSuite } from './observe.js';
import { pipelinedSuite } from './pipelined.js';
import { reloadSuite } from './reload.js';
import { scrapeSuite } from './scrape.js';
import { sequentialSuite } from './sequential.js';

// observe runs last: it registers an OpenTelemetry SDK in this process (undone when the run ends).
export const SUITES: readonly Suite[] = [sequentialSuite, coldSuite, pipelinedSuite, broadcastSuite, httpSuite, natsSuite, reloadSuite, scrapeSuite, observeSuite];

/** Every row id a run of these suites must produce. */
export function expectedRowIds(quick: boolean, only?: readonly string[]): string[] {
  return SUITES.filter((s) => only === undefined || only.includes(s.name)).flatMap((s) => s.rows(quick).map((r) => r.id));
}
