// 7. A rolling restart under keep-alive load (issue 8, item 1): autocannon (keep-alive, closed
// loop, this process) runs against a 2-worker runHttpCluster while app.reload() replaces both
// workers, once per balance mode, each mode in a cluster process of its own
// (bench/fixtures/http-driven.ts: node:cluster fixes the scheduling policy at the first fork).
// The load starts before the reload and stops a moment after it resolved, so it spans all of it.
// Rows per mode: failed requests (errors, timeouts, non-2xx) during the reload against the same
// load without one, target 0 (absolute); and the reload's duration on the primary's clock, under
// that load against the same cluster idle (no target: a number to read).
import { pathToFileURL } from 'node:url';
import { startDriven, startLoad } from './fixtures/driver.js';
import { makeRow, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const BALANCES = ['os', 'least-loaded', 'round-robin'] as const;
type Balance = (typeof BALANCES)[number];
const WORKERS = 2;
const CONNECTIONS = 32;
const SECTION = `7 HTTP reload under keep-alive load (issue 8), ${WORKERS} workers, autocannon ${CONNECTIONS} connections`;
/** The bound of one reload (the workers load tsx on two shared cores). */
const RELOAD_BOUND_MS = 120_000;

/** Seconds of load before the reload, and after it resolved; repeats per mode. */
const config = (quick: boolean): { leadSeconds: number; tailSeconds: number; repeats: number } =>
  quick ? { leadSeconds: 0.5, tailSeconds: 0.3, repeats: 1 } : { leadSeconds: 1.5, tailSeconds: 1, repeats: 3 };

function specs(): RowSpec[] {
  return BALANCES.flatMap((mode): RowSpec[] => [
    {
      id: `reload.${mode}.failed`,
      section: SECTION,
      measure: `failed requests, balance '${mode}'`,
      unit: 'failed',
      baseline: 'the same load, no reload',
      contestant: 'load through app.reload()',
      target: { op: '<=', value: 0, of: 'contestant' },
    },
    {
      id: `reload.${mode}.ms`,
      section: SECTION,
      measure: `reload duration, balance '${mode}'`,
      unit: 'ms',
      baseline: 'app.reload(), cluster idle',
      contestant: 'app.reload() under the load',
    },
  ]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureMode(ctx: SuiteContext, mode: Balance): Promise<Row[]> {
  const { leadSeconds, tailSeconds, repeats } = config(ctx.quick);
  ctx.log(`reload '${mode}': starting a ${WORKERS}-worker cluster`);
  const app = await startDriven(ctx, `reload ${mode}`, { BALANCE: mode, WORKERS: String(WORKERS) });
  const out = { failedNone: [] as number[], failedReload: [] as number[], idleMs: [] as number[], loadedMs: [] as number[] };
  const maxSeconds = Math.ceil(leadSeconds + tailSeconds + RELOAD_BOUND_MS / 1_000 + 5);
  try {
    for (let r = 0; r < repeats; r++) {
      out.idleMs.push((await app.ask('reload', RELOAD_BOUND_MS))['reloadMs'] as number);
      // The baseline load lasts as long as the reload's load will, give or take the reload (quick
      // mode leaves the reload's time out: its failure count is a sanity check, not a measure).
      const plain = startLoad(app.port, CONNECTIONS, maxSeconds);
      await sleep((leadSeconds + tailSeconds) * 1_000 + (ctx.quick ? 0 : out.idleMs.at(-1)!));
      out.failedNone.push((await plain.stop()).failed);
      const load = startLoad(app.port, CONNECTIONS, maxSeconds);
      await sleep(leadSeconds * 1_000);
      const reloaded = app.ask('reload', RELOAD_BOUND_MS);
      const settled = await reloaded.then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      );
      await sleep(tailSeconds * 1_000);
      const seen = await load.stop();
      if ('error' in settled) throw settled.error;
      if (seen.endedEarly) throw new Error(`reload '${mode}': the load ended before the reload did`);
      out.loadedMs.push(settled.answer['reloadMs'] as number);
      out.failedReload.push(seen.failed);
      ctx.log(`reload '${mode}' repeat ${r + 1}: ${seen.requests} requests, ${seen.failed} failed, reload ${Math.round(out.loadedMs.at(-1)!)} ms (idle ${Math.round(out.idleMs.at(-1)!)} ms)`);
    }
  } finally {
    await app.stop();
  }
  const [failed, ms] = specs().filter((s) => s.id.startsWith(`reload.${mode}.`));
  return [makeRow(failed!, out.failedNone, out.failedReload), makeRow(ms!, out.idleMs, out.loadedMs)];
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mode of BALANCES) rows.push(...(await measureMode(ctx, mode)));
  return rows;
}

export const reloadSuite: Suite = { name: 'reload', rows: () => specs(), run };

// The standalone script this suite replaced: say where it went rather than do nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stderr.write('bench/reload.ts is a suite of the bench now: npm run bench -- --only reload [--quick]\n');
  process.exitCode = 2;
}
