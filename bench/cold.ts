// 1b. The first 2,000 calls after connect: for each contestant, a fresh pair of processes (a new
// primary, bench/fixtures/cold-primary.ts, forking a new worker), then 2,000 sequential calls of the
// ~100 B payload, 'advanced' IPC (the hub's default), async handlers. p50 and p99 of those calls
// per fork; several fresh forks, contestants in rotated order, ratios paired by fork round.
// Everything a library does lazily (schema compilation on first use, per-method setup, first
// timers, the JIT warming its code) lands in these calls.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { latencyStats, makeRow, type LatencyStats, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const SECTION = '1b first 2,000 calls after connect (fresh primary and worker, advanced IPC, ~100 B)';
const CALLS = 2_000;
const SCRIPT = fileURLToPath(new URL('./fixtures/cold-primary.ts', import.meta.url));
/** One fresh pair: start both processes, 2,000 calls, end both. Seconds here; bound generously. */
const PAIR_BOUND_MS = 60_000;

const forks = (quick: boolean): number => (quick ? 1 : 5);

type Who = 'raw' | 'rpc' | 'birpc' | 'naive';
const WHO: readonly Who[] = ['raw', 'rpc', 'birpc', 'naive'];
const LABEL: Record<Who, string> = {
  raw: 'raw process.send echo (fresh pair)',
  rpc: 'worker.call (zod on, async handler, fresh pair)',
  birpc: 'birpc (async handler, fresh pair)',
  naive: 'naive typed RPC (nanoid + zod, async, fresh pair)',
};

function specs(): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const stat of ['p50', 'p99'] as const) {
    for (const who of ['rpc', 'birpc', 'naive'] as const) {
      rows.push({
        id: `cold.${stat}.${who}`,
        section: SECTION,
        measure: `${stat} of the first ${CALLS.toLocaleString('en-US')}`,
        unit: 'µs',
        baseline: LABEL.raw,
        contestant: LABEL[who],
        // Issue 9, target 3: the cold tail within 3x the raw echo's.
        ...(stat === 'p99' && who === 'rpc' ? { target: { op: '<=', value: 3 } as const } : {}),
      });
    }
  }
  return rows;
}

/** One fresh pair of processes for `who`: the latencies (ms) of its first CALLS calls. */
function pair(who: Who): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, who, 'advanced', String(CALLS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cold ${who}: no result within ${PAIR_BOUND_MS} ms\n${stderr.slice(-2000)}`));
    }, PAIR_BOUND_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`cold ${who}: the fresh primary exited (${code ?? signal})\n${stderr.slice(-2000)}`));
      try {
        const { latencies } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { latencies: number[] };
        if (latencies.length !== CALLS) throw new Error(`${latencies.length} latencies`);
        resolve(latencies);
      } catch (error) {
        reject(new Error(`cold ${who}: unreadable result (${String(error)}): ${stdout.slice(0, 200)}`));
      }
    });
  });
}

async function run(ctx: SuiteContext): Promise<Row[]> {
  const n = forks(ctx.quick);
  const stats = new Map<Who, LatencyStats[]>(WHO.map((who) => [who, []]));
  ctx.log(`cold: ${n} rounds x ${WHO.length} contestants, each a fresh primary and worker, ${CALLS} calls`);
  for (let r = 0; r < n; r++) {
    const order = WHO.map((_, i) => WHO[(i + r) % WHO.length]!);
    for (const who of order) stats.get(who)!.push(latencyStats(Float64Array.from(await pair(who))));
    ctx.log(`  round ${r + 1}: ${WHO.map((who) => `${who} p50 ${stats.get(who)!.at(-1)!.p50.toFixed(0)} µs p99 ${stats.get(who)!.at(-1)!.p99.toFixed(0)} µs`).join(', ')}`);
  }
  const get = (who: Who, stat: keyof LatencyStats): number[] => stats.get(who)!.map((s) => s[stat]);
  return specs().map((spec) => {
    const [, stat, who] = spec.id.split('.') as [string, keyof LatencyStats, Who];
    return makeRow(spec, get('raw', stat), get(who, stat));
  });
}

export const coldSuite: Suite = { name: 'cold', rows: () => specs(), run };
