// 7b. A scrape of a cluster of 8 workers while it serves load (issue 12: "≤ 50 ms on the primary's
// clock while the cluster serves load"). One runHttpCluster of 8 workers with `metrics: { port: 0 }`
// and balance 'os' (bench/fixtures/http-driven.ts, a process of its own); autocannon keep-alive load
// on the application port from this process. Every SCRAPE_EVERY_MS, one scrape of each kind:
// - on the primary's clock: `app.metrics()` timed inside the primary (the fixture's `metrics`
//   command), which is the collection the /metrics endpoint serves;
// - at the client: GET /metrics on the metrics port, timed here (an upper bound: it adds the HTTP
//   round trip and this process's own scheduling, which the load generator shares).
// Every scrape must answer (200 for HTTP) with `cluster_worker_up{…} 1` for all 8 workers, or the
// suite fails. Baseline: the same scrapes with the cluster idle. p50 and p95 per repeat, medians
// over repeats; the primary-clock p50 has the absolute target. The load is closed-loop:
// with the load generator on the same two cores it keeps them saturated, the harshest reading of
// "while the cluster serves load" (each worker answers the scrape between requests).
import http from 'node:http';
import { startDriven, startLoad, type Driven } from './fixtures/driver.js';
import { makeRow, percentile, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const WORKERS = 8;
const CONNECTIONS = 20;
const SCRAPE_EVERY_MS = 100;
const SCRAPE_BOUND_MS = 10_000;
/** The load's own bound; a repeat whose scrapes outlast it fails rather than scrape an idle cluster. */
const LOAD_BOUND_SECONDS = 300;
const SECTION = `7b HTTP scrape of ${WORKERS} workers (issue 12), balance 'os', autocannon ${CONNECTIONS} connections`;

const config = (quick: boolean): { scrapes: number; repeats: number } => (quick ? { scrapes: 5, repeats: 1 } : { scrapes: 30, repeats: 3 });

type Clock = 'primary' | 'http';
const CLOCKS: readonly Clock[] = ['primary', 'http'];
const STATS = ['p50', 'p95'] as const;
const clockLabel = { primary: "app.metrics() on the primary's clock", http: 'GET /metrics at the client (upper bound)' } as const;

function specs(): RowSpec[] {
  return CLOCKS.flatMap((clock) =>
    STATS.map(
      (stat): RowSpec => ({
        id: `scrape.${clock}.${stat}`,
        section: SECTION,
        measure: `scrape ${stat}, ${clockLabel[clock]}`,
        unit: 'ms',
        baseline: 'cluster idle',
        contestant: 'cluster under keep-alive load',
        ...(clock === 'primary' && stat === 'p50' ? { target: { op: '<=', value: 50, of: 'contestant' } as const } : {}),
      }),
    ),
  );
}

const upCount = (text: string): number => text.split('\n').filter((l) => /^cluster_worker_up\{.*\} 1$/.test(l)).length;

/** GET /metrics, timed (ms); rejects unless it answers 200 with every worker up. */
function httpScrape(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const up = upCount(text);
        if (res.statusCode === 200 && up === WORKERS) resolve(ms);
        else reject(new Error(`scrape: status ${res.statusCode}, ${up} of ${WORKERS} workers up`));
      });
    });
    req.setTimeout(SCRAPE_BOUND_MS, () => req.destroy(new Error(`scrape: no answer within ${SCRAPE_BOUND_MS} ms`)));
    req.on('error', reject);
  });
}

/** `count` scrapes of each kind, one pair every SCRAPE_EVERY_MS; their durations (ms), sorted. */
async function scrapes(app: Driven, count: number): Promise<Record<Clock, number[]>> {
  const out: Record<Clock, number[]> = { primary: [], http: [] };
  for (let i = 0; i < count; i++) {
    const due = performance.now() + SCRAPE_EVERY_MS;
    out.http.push(await httpScrape(app.metricsPort!));
    const answer = await app.ask('metrics', SCRAPE_BOUND_MS);
    if (answer['up'] !== WORKERS) throw new Error(`app.metrics(): ${String(answer['up'])} of ${WORKERS} workers up`);
    out.primary.push(answer['metricsMs'] as number);
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  for (const clock of CLOCKS) out[clock].sort((a, b) => a - b);
  return out;
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const { scrapes: count, repeats } = config(ctx.quick);
  ctx.log(`scrape: starting a ${WORKERS}-worker cluster with metrics on`);
  const app = await startDriven(ctx, 'scrape', { BALANCE: 'os', WORKERS: String(WORKERS), METRICS: '1' });
  if (app.metricsPort === null) throw new Error('scrape: the fixture serves no metrics port');
  const idle = { primary: [] as number[][], http: [] as number[][] };
  const loaded = { primary: [] as number[][], http: [] as number[][] };
  try {
    await scrapes(app, 2); // warm-up: the first scrape of each worker
    for (let r = 0; r < repeats; r++) {
      const quiet = await scrapes(app, count);
      const load = startLoad(app.port, CONNECTIONS, LOAD_BOUND_SECONDS);
      let busy: Record<Clock, number[]> | undefined;
      try {
        await new Promise((resolve) => setTimeout(resolve, 300)); // the load is up to speed
        busy = await scrapes(app, count);
      } finally {
        const seen = await load.stop();
        if (seen.endedEarly && busy !== undefined) throw new Error(`scrape: the load ended (after ${LOAD_BOUND_SECONDS} s) before the scrapes did`);
        ctx.log(`scrape repeat ${r + 1}: ${seen.requests} requests served during the scrapes, ${seen.failed} failed`);
      }
      for (const clock of CLOCKS) {
        idle[clock].push(quiet[clock]);
        loaded[clock].push(busy[clock]);
      }
    }
  } finally {
    await app.stop();
  }
  return specs().map((spec) => {
    const [, clock, stat] = spec.id.split('.') as [string, Clock, (typeof STATS)[number]];
    const q = stat === 'p50' ? 0.5 : 0.95;
    return makeRow(spec, idle[clock].map((s) => percentile(s, q)), loaded[clock].map((s) => percentile(s, q)));
  });
}


export const scrapeSuite: Suite = { name: 'scrape', rows: () => specs(), run };
