// 3. Broadcast: hub.broadcast('stats') latency with 2 and 8 workers, against a raw fan-out (one
// process.send echo to every worker, awaiting all replies) on the same workers.
import { ipcLab, type Contestants } from './ipc.js';
import { block, latencyStats, makeRow, withTimeout, type Row, type RowSpec, type Suite, type SuiteContext } from './lib.js';

const SECTION = '3 broadcast (advanced IPC)';
const COUNTS = [2, 8] as const;

// As in bench/sequential.ts: repeats of short alternating blocks.
const config = (quick: boolean): { repeats: number; blocks: number; calls: number; warmup: number } =>
  quick ? { repeats: 3, blocks: 3, calls: 50, warmup: 150 } : { repeats: 5, blocks: 10, calls: 100, warmup: 1_000 };

function specs(): RowSpec[] {
  return COUNTS.flatMap((n) =>
    (['p50', 'p99'] as const).map(
      (stat): RowSpec => ({
        id: `bcast.${n}.${stat}`,
        section: SECTION,
        measure: `${stat} ${n} workers`,
        unit: 'µs',
        baseline: 'raw fan-out (process.send each, await all)',
        contestant: "hub.broadcast('stats')",
      }),
    ),
  );
}


async function run(ctx: SuiteContext): Promise<Row[]> {
  const { repeats, blocks, calls, warmup } = config(ctx.quick);
  const lab = ipcLab(ctx);
  const hub = lab.hub('broadcast', { serialization: 'advanced' });
  const workers: Contestants[] = [];
  const rows: Row[] = [];
  for (const count of COUNTS) {
    ctx.log(`broadcast: forking up to ${count} workers`);
    while (workers.length < count) workers.push(await lab.fork(hub));
    const contestants = {
      raw: () => Promise.all(workers.map((w) => w.raw.call('stats'))),
      rpc: async () => {
        const results = await hub.broadcast('stats');
        if (results.length !== count || results.some((r) => r.status !== 'fulfilled')) {
          throw new Error(`broadcast: ${results.length} results, ${results.filter((r) => r.status !== 'fulfilled').length} failed`);
        }
      },
    };
    const scratch = new Float64Array(warmup);
    for (const name of ['raw', 'rpc'] as const) await withTimeout(block(contestants[name], warmup, scratch, 0), 120_000, `broadcast warm-up ${name}`);
    ctx.log(`broadcast ${count} workers: ${repeats} repeats x ${blocks} blocks x 2 contestants x ${calls} calls`);
    const out = { raw: [] as { p50: number; p99: number }[], rpc: [] as { p50: number; p99: number }[] };
    for (let r = 0; r < repeats; r++) {
      const pools = { raw: new Float64Array(blocks * calls), rpc: new Float64Array(blocks * calls) };
      for (let b = 0; b < blocks; b++) {
        const order = (b + r) % 2 === 0 ? (['raw', 'rpc'] as const) : (['rpc', 'raw'] as const);
        for (const name of order) await withTimeout(block(contestants[name], calls, pools[name], b * calls), 60_000, `broadcast ${count} ${name}`);
      }
      out.raw.push(latencyStats(pools.raw));
      out.rpc.push(latencyStats(pools.rpc));
    }
    for (const spec of specs().filter((s) => s.id.startsWith(`bcast.${count}.`))) {
      const stat = spec.id.endsWith('p50') ? 'p50' : 'p99';
      rows.push(makeRow(spec, out.raw.map((x) => x[stat]), out.rpc.map((x) => x[stat])));
    }
  }
  return rows;
}

export const broadcastSuite: Suite = { name: 'broadcast', rows: () => specs(), run };
