// A quick paired check of the fixed cost per sequential call, for trying a change to the call path:
// one fresh worker, the raw echo, worker.call (async handler) and birpc in alternating blocks of
// 100 calls, then p50 per contestant and the median over rounds of (p50 − raw p50).
//   node --import tsx [--import ./bench/fixtures/use-dist.mjs] bench/overhead.ts [json|advanced] [small|large] [rounds]
// With use-dist.mjs and BENCH_DIST=/path, it measures another compiled copy of the library.
// BENCH_VALIDATE_OUTPUT=both adds a fourth contestant: worker.call from a hub with validateOutput
// 'both' (a second worker), to price the caller's output check.
import type { Serialization } from '../src/index.js';
import { largePayload, smallPayload } from './contract.js';
import { ipcLab } from './ipc.js';
import { block, latencyStats, median, type SuiteContext } from './lib.js';

const serialization = (process.argv[2] ?? 'advanced') as Serialization;
const payload = process.argv[3] === 'large' ? largePayload() : smallPayload();
const rounds = Number(process.argv[4] ?? 9);
const BLOCKS = 20;
const CALLS = 100;
const cleanups: (() => Promise<void> | void)[] = [];
const ctx: SuiteContext = { quick: true, log: (m) => process.stderr.write(`${m}\n`), defer: (fn) => void cleanups.push(fn) };
try {
  const lab = ipcLab(ctx);
  const w = await lab.fork(lab.hub('overhead', { serialization }));
  const both = process.env['BENCH_VALIDATE_OUTPUT'] === 'both' ? await lab.fork(lab.hub('overhead-both', { serialization, validateOutput: 'both' })) : undefined;
  const calls: Record<string, () => Promise<unknown>> = {
    raw: () => w.raw.call(payload),
    rpc: () => w.handle.call('echo', payload),
    birpc: () => w.birpc.echo(payload),
    ...(both !== undefined ? { both: () => both.handle.call('echo', payload) } : {}),
  };
  const names = Object.keys(calls) as (keyof typeof calls)[];
  const scratch = new Float64Array(3_000);
  for (const name of names) await block(calls[name]!, 3_000, scratch, 0);
  const p50 = new Map(names.map((n) => [n, [] as number[]]));
  for (let r = 0; r < rounds; r++) {
    const pools = new Map(names.map((n) => [n, new Float64Array(BLOCKS * CALLS)]));
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + b + r) % names.length]!;
        await block(calls[name]!, CALLS, pools.get(name)!, b * CALLS);
      }
    }
    for (const n of names) p50.get(n)!.push(latencyStats(pools.get(n)!).p50);
  }
  const raw = p50.get('raw')!;
  const over = (n: keyof typeof calls): string => median(p50.get(n)!.map((v, i) => v - raw[i]!)).toFixed(1);
  console.log(
    `${serialization} ${JSON.stringify(payload).length} B, ${rounds} rounds: raw p50 ${median(raw).toFixed(1)} µs; ` +
      `worker.call +${over('rpc')} µs; birpc +${over('birpc')} µs${both !== undefined ? `; validateOutput 'both' +${over('both')} µs` : ''}  (${process.env['BENCH_DIST'] ?? 'src/ or dist/'})`,
  );
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
